"""Release-time delivery: calendar, feeds, e-mail and signed webhooks, sent by the task queue
when a release's embargo lifts, once each (docs/delivery.md)."""
