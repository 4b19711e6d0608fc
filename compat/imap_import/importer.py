"""One import run: every folder of the source into the account, resumable and idempotent.

Two guards against copying a message twice. The progress (api.core.import_progress)
says, per source folder, the UIDVALIDITY and the highest UID copied; it moves after
each message, so a rerun starts where the last run stopped. And before each import
the target mailbox is asked for the same message (receivedAt, size, Message-ID), which
covers the one message a killed run may have stored without moving the progress, and a
folder whose UIDVALIDITY changed (then every UID is new and the progress starts over).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from api.core.import_progress import FolderPosition, ImportProgress
from compat.imap_import.folders import FolderPlan, plan_folders
from compat.imap_import.progress_bar import ProgressBar
from compat.imap_import.responses import MessageFacts
from compat.imap_import.source import ImapSource, SourceError
from compat.imap_import.target import ImportTarget, keywords_of

__all__ = ["ImportReport", "run_import"]


@dataclass(frozen=True, slots=True)
class ImportReport:
    folders: int
    copied: int
    # Found in the account already (a rerun after an interruption, say).
    already_there: int
    # Expunged at the source between listing and copying.
    vanished: int


@dataclass(frozen=True, slots=True)
class _FolderWork:
    plan: FolderPlan
    uid_validity: int
    messages: list[MessageFacts]


def _label(plan: FolderPlan) -> str:
    return plan.role or "/".join(plan.parts)


async def _survey(
    source: ImapSource, plans: list[FolderPlan], progress: ImportProgress
) -> list[_FolderWork]:
    """What is left to copy in each folder: metadata only, no bodies."""
    work = []
    for plan in plans:
        if not plan.copy:
            continue
        validity = await source.select(plan.source)
        position = await progress.get(plan.source.name)
        since = position.last_uid if position and position.uid_validity == validity else 0
        work.append(_FolderWork(plan, validity, await source.facts(since)))
    return work


async def run_import(
    source: ImapSource,
    target: ImportTarget,
    progress: ImportProgress,
    make_bar: Callable[[int, int], ProgressBar] = ProgressBar,
) -> ImportReport:
    plans = plan_folders(await source.folders())
    mailbox_ids = await target.resolve(plans)
    work = await _survey(source, plans, progress)
    bar = make_bar(
        sum(len(w.messages) for w in work), sum(f.size for w in work for f in w.messages)
    )
    copied = already = vanished = 0
    try:
        for folder in work:
            if not folder.messages:
                continue
            if await source.select(folder.plan.source) != folder.uid_validity:
                raise SourceError(f"UIDVALIDITY of {folder.plan.source.name} changed; run again")
            mailbox_id = mailbox_ids[folder.plan.source.name]
            for facts in folder.messages:
                raw = await source.message(facts.uid)
                if raw is None:
                    vanished += 1
                elif await target.has_copy(mailbox_id, raw, facts.internal_date):
                    already += 1
                else:
                    await target.add(mailbox_id, raw, keywords_of(facts.flags), facts.internal_date)
                    copied += 1
                position = FolderPosition(folder.uid_validity, facts.uid)
                await progress.save(folder.plan.source.name, position)
                bar.advance(len(raw or b""), _label(folder.plan))
    finally:
        bar.finish()
    return ImportReport(len(plans), copied, already, vanished)
