"""Word-of-mouth intake: community focal points, their light /field form, structured SMS, paper forms, briefings."""
