"""Subscriptions: organisations, what they subscribe to, their people's API keys, and the
log of every data request. The entitlement half of the one gate every output goes through
(the embargo half is ``releases.queries``)."""
