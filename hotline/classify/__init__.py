"""Classification of reports (type, category, urgency) and rumour matching, across the hotline's languages.

Pure core: ``normalise`` (per-script folding), ``redaction`` (phones, e-mails, ID numbers), ``lexicon``/``cues``
(config/lexicons/), ``model`` (TF-IDF + linear model), ``classifier`` (model with lexicon fallback), ``matching``
(rumour index), ``evaluation``. Shell: ``runtime`` (the app's classifier), ``service`` (``classify_report``,
``instant_answer_match``), ``cli`` (``hotline classify train|evaluate|check``).
"""
