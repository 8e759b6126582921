"""Run the real database worker in this process, in batch mode (every due task, then stop)."""

from __future__ import annotations

from django_tasks_db.management.commands.db_worker import Worker


def run_worker() -> None:
    Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    ).run()
