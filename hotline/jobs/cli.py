"""`hotline jobs worker`: run an RQ worker for the app's queue."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from hotline.jobs import RQQueue, set_job_queue, warm_up


@click.group("jobs")
def jobs_group() -> None:
    """Background jobs (RQ on Redis when HOTLINE_REDIS_URL is set)."""


@jobs_group.command("worker")
@click.option("--queue", "queue_name", default=None, help="Queue name (default: HOTLINE_RQ_QUEUE).")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty.")
@with_appcontext
def worker(queue_name: str | None, burst: bool) -> None:
    """Run jobs from Redis until stopped; jobs run inside this app's context."""
    from redis import Redis
    from rq import Queue, SimpleWorker

    settings = current_app.config["HOTLINE"]
    if not settings.redis_url:
        raise click.UsageError("HOTLINE_REDIS_URL is not set: jobs run in-process, no worker is needed")
    connection = Redis.from_url(settings.redis_url)
    name = queue_name or settings.rq_queue
    # Jobs run in this app's context, and the jobs they queue (filing a text queues its reply) go where this
    # worker will find them.
    set_job_queue(current_app, RQQueue(settings.redis_url, name))
    warm_up()
    SimpleWorker([Queue(name, connection=connection)], connection=connection).work(burst=burst)
