"""SMS and WhatsApp: parsing Twilio's messages, language, keywords, replies, floods and instant answers."""
