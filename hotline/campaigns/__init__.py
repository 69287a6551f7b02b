"""Information campaigns, evaluated against what the hotline hears before, during and after."""
