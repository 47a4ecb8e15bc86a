"""The desk's scheduled jobs for customer email: the failure-notice job and the
outbox's delivery (payhelp/notices). Each runs in a worker thread on a timer; a
failing run is logged and the next one tries again.

With no ``SMTP_HOST`` the outbox is not delivered: each queued email is written to the
desk's log once (and ``make outbox`` lists them), so a demo shows what would be sent.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import sessionmaker

from payhelp.notices.job import CHECK_EVERY_S, run_notice_job
from payhelp.notices.outbox import SmtpMailer, deliver_due, queued_since
from payhelp.settings import Settings
from payhelp.store.tables import utc_now

logger = logging.getLogger(__name__)
DELIVER_EVERY_S = 15


@dataclass
class MailJobs:
    settings: Settings
    sessions: sessionmaker
    logged_up_to: int = 0
    tasks: list[asyncio.Task[Any]] = field(default_factory=list)

    def start(self) -> None:
        self.tasks = [
            asyncio.create_task(_every(CHECK_EVERY_S, self.notices, "failure notices")),
            asyncio.create_task(_every(DELIVER_EVERY_S, self.deliver, "email delivery")),
        ]

    async def stop(self) -> None:
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)

    def notices(self) -> None:
        run_notice_job(self.sessions, self.settings, utc_now())

    def deliver(self) -> None:
        s = self.settings
        if not s.smtp_host:
            self._log_queued()
            return
        mailer = SmtpMailer(s.smtp_host, s.smtp_port, s.smtp_user, s.smtp_password)
        report = deliver_due(self.sessions, mailer, s.shop_email, s.shop_name, utc_now)
        if report.sent or report.failed:
            logger.info("emails sent: %s, to retry: %s", report.sent, report.failed)

    def _log_queued(self) -> None:
        for item in queued_since(self.sessions, self.logged_up_to):
            logger.info(
                "email %s queued, not sent (no SMTP_HOST; `make outbox` lists the outbox)\n"
                "To: %s\nSubject: %s\n\n%s",
                item.id, item.recipient, item.subject, item.body,
            )  # fmt: skip
            self.logged_up_to = item.id


async def _every(seconds: float, work: Callable[[], None], name: str) -> None:
    while True:
        try:
            await asyncio.to_thread(work)
        except Exception:
            logger.exception("%s: this run failed; the next one tries again", name)
        await asyncio.sleep(seconds)
