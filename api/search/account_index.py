"""One account's live tantivy index, in a private directory on a RAM file system.

Only this object touches tantivy; every method is blocking and runs in a worker thread,
one at a time per account (api.search.service holds the lock). The directory is 0700
under /dev/shm (never the data disk) and is deleted when the index closes. What outlives
the process is the sealed snapshot `snapshot()` returns: tantivy's files, whose segment
files never change once written (only meta.json, .managed.json and the key map are
rewritten), and the key map from each document's `key` to its email id.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tantivy

from api.core.mail_search import TextCondition, TextTree
from api.mime.email_view import ParsedEmail, parse_email
from api.search.documents import build_document
from api.search.queries import build_query, tree_query
from api.search.schema import KEY, RECEIVED, analyzer, build_schema, register

__all__ = ["KEY_MAP", "AccountIndex", "NewEmail", "remove_stale"]

# The sealed file holding {key: email id}, the language and the schema version.
KEY_MAP = "sealbox-keys.json"
_SCHEMA_VERSION = 1
_META = "meta.json"
# Writer arena: tantivy flushes a segment when it fills; 16 MB keeps an account small.
_WRITER_HEAP = 16_000_000
_PREFIX = "sealbox-search-"
_QUERY_CACHE = 32


@dataclass(frozen=True, slots=True)
class NewEmail:
    email_id: str
    received_at: int
    # The decrypted message, parsed in the worker thread if not parsed yet.
    raw: bytes | None = None
    parsed: ParsedEmail | None = None


def _is_lock(name: str) -> bool:
    return name.endswith(".lock")


class AccountIndex:
    def __init__(self, directory: Path, language: str, keys: dict[int, str]) -> None:
        self.directory = directory
        self.language = language
        self._schema = build_schema()
        if (directory / _META).exists():
            self._index = tantivy.Index.open(str(directory))
        else:
            self._index = tantivy.Index(self._schema, str(directory))
        register(self._index, language)
        self._analyzer = analyzer(language)
        self._writer: Any = None
        self.keys = keys
        self.ids = {email_id: key for key, email_id in keys.items()}
        self._next_key = max(keys, default=0) + 1
        self.dirty = False
        self._keys_changed = False
        # Built queries by text tree: a prefix is a regex per field, ~0.3 ms to compile
        # each, and paging or re-running after new mail asks the same tree again.
        self._queries: dict[TextTree, Any] = {}
        # What the sealed snapshot holds: name -> (size, mtime_ns) when it was sealed.
        self._sealed: dict[str, tuple[int, int]] = {}

    @classmethod
    def restore(cls, ram_dir: Path, language: str, files: Mapping[str, bytes]) -> AccountIndex:
        """An index from a decrypted snapshot; a fresh one if there is none, or if it was
        built for another language or schema (the caller then indexes every email)."""
        directory = Path(tempfile.mkdtemp(prefix=f"{_PREFIX}{os.getpid()}-", dir=ram_dir))
        try:
            return cls._fill(directory, language, files)
        except BaseException:
            # Half-written plaintext segments must not stay behind in RAM.
            shutil.rmtree(directory, ignore_errors=True)
            raise

    @classmethod
    def _fill(cls, directory: Path, language: str, files: Mapping[str, bytes]) -> AccountIndex:
        keys: dict[int, str] = {}
        manifest = json.loads(files[KEY_MAP]) if KEY_MAP in files else None
        usable = (
            manifest is not None
            and manifest.get("schema") == _SCHEMA_VERSION
            and manifest.get("language") == language
        )
        if usable:
            assert manifest is not None
            keys = {int(k): v for k, v in manifest["keys"].items()}
            for name, content in files.items():
                if name != KEY_MAP:
                    (directory / name).write_bytes(content)
        index = cls(directory, language, keys)
        if usable:
            index._sealed = {name: index._stat(name) for name in files if name != KEY_MAP}
            index._sealed[KEY_MAP] = (0, 0)
        else:
            index._keys_changed = True
        return index

    def _stat(self, name: str) -> tuple[int, int]:
        info = (self.directory / name).stat()
        return info.st_size, info.st_mtime_ns

    def _open_writer(self) -> Any:
        if self._writer is None:
            self._writer = self._index.writer(_WRITER_HEAP, 1)
        return self._writer

    def add(self, emails: Iterable[NewEmail]) -> int:
        """Add emails not in the index yet; returns how many were added."""
        added = 0
        writer = self._open_writer()
        for email in emails:
            if email.email_id in self.ids:
                continue
            parsed = email.parsed
            if parsed is None:
                assert email.raw is not None
                parsed = parse_email(email.raw)
            key = self._next_key
            self._next_key += 1
            writer.add_document(build_document(key, email.received_at, parsed))
            self.keys[key] = email.email_id
            self.ids[email.email_id] = key
            added += 1
        if added:
            self.dirty = self._keys_changed = True
        return added

    def remove(self, email_ids: Iterable[str]) -> int:
        keys = [self.ids.pop(e) for e in email_ids if e in self.ids]
        if keys:
            for key in keys:
                del self.keys[key]
            query = tantivy.Query.term_set_query(self._schema, KEY, keys)
            self._open_writer().delete_documents_by_query(query)
            self.dirty = self._keys_changed = True
        return len(keys)

    def commit(self) -> None:
        if self.dirty and self._writer is not None:
            self._writer.commit()
            self._index.reload()
        self.dirty = False

    def snapshot(self) -> tuple[dict[str, bytes], list[str]]:
        """(files to write, names to drop) since the last snapshot, in plaintext.

        meta.json is read first: every segment it names was complete before it was
        written, so a file a background merge is still writing can be in this snapshot
        only unreferenced, and is sealed again once it changes.
        """
        written: dict[str, bytes] = {}
        seen: set[str] = set()
        names = sorted((p.name for p in self.directory.iterdir()), key=lambda n: n != _META)
        for name in names:
            if _is_lock(name):
                continue
            try:
                stat = self._stat(name)
                if self._sealed.get(name) != stat:
                    written[name] = (self.directory / name).read_bytes()
                    self._sealed[name] = stat
            except FileNotFoundError:  # garbage-collected by tantivy as we listed
                continue
            seen.add(name)
        if self._keys_changed:
            written[KEY_MAP] = self._manifest()
            self._keys_changed = False
        seen.add(KEY_MAP)
        removed = [name for name in self._sealed if name not in seen]
        for name in removed:
            del self._sealed[name]
        if KEY_MAP in written:
            self._sealed[KEY_MAP] = (0, 0)
        return written, removed

    def _manifest(self) -> bytes:
        return json.dumps(
            {
                "schema": _SCHEMA_VERSION,
                "language": self.language,
                "keys": {str(k): v for k, v in self.keys.items()},
            },
            separators=(",", ":"),
        ).encode()

    def search(self, conditions: Sequence[TextCondition]) -> dict[TextCondition, frozenset[str]]:
        searcher = self._index.searcher()
        limit = max(searcher.num_docs, 1)
        found: dict[TextCondition, frozenset[str]] = {}
        for condition in conditions:
            query = build_query(self._schema, condition, self._analyzer)
            hits = searcher.search(query, limit, count=False, order_by_field=KEY).hits
            keys = searcher.fast_field_values(KEY, [address for _, address in hits])
            found[condition] = frozenset(self.keys[int(k)] for k in keys if k in self.keys)
        return found

    def ranked(
        self, tree: TextTree, ascending: bool, count: int, hidden: frozenset[str]
    ) -> tuple[list[str], int]:
        """(the first `count` matching ids by (received, id), how many match).

        tantivy's top-K on the `received` fast field orders ties arbitrarily, so one more
        hit than asked is fetched: when it ties with the last one asked, every email of
        that second may cross the cut, and the fetch doubles until it no longer ties.
        """
        query = self._queries.pop(tree, None)
        if query is None:
            query = tree_query(self._schema, tree, self._analyzer)
        self._queries[tree] = query  # most recent last: the first one is the oldest
        if len(self._queries) > _QUERY_CACHE:
            del self._queries[next(iter(self._queries))]
        hidden_keys = [self.ids[e] for e in hidden if e in self.ids]
        if hidden_keys:
            unwanted = tantivy.Query.term_set_query(self._schema, KEY, hidden_keys)
            query = tantivy.Query.boolean_query(
                [(tantivy.Occur.Must, query), (tantivy.Occur.MustNot, unwanted)]
            )
        searcher: Any = self._index.searcher()  # SearchResult.count is not in the stubs
        order = tantivy.Order.Asc if ascending else tantivy.Order.Desc
        fetch = count + 1
        while True:
            result = searcher.search(query, fetch, order_by_field=RECEIVED, order=order)
            hits = result.hits
            if count == 0 or len(hits) < fetch or hits[-1][0] != hits[count - 1][0]:
                break
            fetch *= 2
        keys = searcher.fast_field_values(KEY, [address for _, address in hits])
        rows = sorted(
            (
                (received, self.keys[int(k)])
                for (received, _), k in zip(hits, keys, strict=True)
                if k in self.keys
            ),
            reverse=not ascending,
        )
        return [email_id for _, email_id in rows[:count]], int(result.count)

    def ram_bytes(self) -> int:
        return sum(path.stat().st_size for path in self.directory.iterdir())

    def close(self) -> None:
        """Drop the writer and delete the directory: no plaintext file is left."""
        self._writer = None
        del self._index
        shutil.rmtree(self.directory, ignore_errors=True)


def remove_stale(ram_dir: Path) -> int:
    """Delete directories left by processes that died (a crash skips close)."""
    removed = 0
    for path in ram_dir.glob(f"{_PREFIX}*"):
        pid = path.name[len(_PREFIX) :].split("-", 1)[0]
        if not pid.isdigit() or _alive(int(pid)) or path.stat().st_uid != os.getuid():
            continue
        shutil.rmtree(path, ignore_errors=True)
        removed += 1
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
