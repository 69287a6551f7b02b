"""Twilio, below the domain packages that use it: webhook signature checks and forms, the account, the REST client,
media downloads and remote deletes. The webhook views live with their domain (`hotline.sms.views`,
`hotline.ivr.views`), so this package never imports the services that call it."""
