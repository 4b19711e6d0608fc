"""The canary test for the search index (DESIGN.md, Keys: Search): index mail full of
canary words, then read every file under the data directory (database, WAL, blobs) while
the index is open and after it is sealed, and find no canary, no canary's token and no
canary's stem, in plain text, UTF-16, hex or base64 at every alignment. The RAM directory
itself must be gone once the account's index closes.

tantivy compresses its term dictionary, so a word in a clear index file need not appear
as bytes: every tantivy file in clear also carries a JSON footer naming its
index_format_version, and that marker is a needle too. The control test keeps the RAM
directory on the data disk and sees the scan fire (and tantivy read the word back).
"""

from __future__ import annotations

import os
import secrets
import string
from pathlib import Path

import pytest
import tantivy
from support.email_corpus import raw_message
from support.jmap_client import make_client
from support.services import ServicesFactory
from test_canary import Needles, found, read_data_dir, text_forms

from api.search.schema import analyzer, register

# In the footer of every tantivy file and in meta.json: an index in clear.
TANTIVY_MARKERS = [b'"index_format_version"', b'"segments"']


def _canary_word() -> str:
    letters = "".join(secrets.choice(string.ascii_lowercase) for _ in range(12))
    return f"Canary{letters}ations"


async def test_no_canary_word_token_or_stem_reaches_the_disk(
    make_services: ServicesFactory, tmp_path: Path
) -> None:
    services = await make_services()
    if services.store.url.startswith("postgresql"):
        pytest.skip("the database must be under the data directory for the scan")
    client = await make_client(services)
    await services.search.set_enabled(client.unlocked, True, language="english")
    stemmer = analyzer("english")
    needles = Needles()
    needles.add("a tantivy file in clear", TANTIVY_MARKERS)
    words = [_canary_word() for _ in range(8)]
    for word in words:
        token = word.lower()
        [stem] = stemmer.analyze(word)
        assert stem != token  # the stem is its own needle
        needles.add(word, text_forms(word))
        needles.add(f"{word} (token)", text_forms(token))
        needles.add(f"{word} (stem)", text_forms(stem))
    for n in range(0, len(words), 2):
        subject, body = words[n], words[n + 1]
        raw = raw_message(
            f"About {subject}", f"m{n}@x", body=f"{body} and more {body}\r\n", attachment=True
        )
        await client.import_email(raw)
    got = await client.one("Email/query", filter={"text": words[1]})
    assert len(got["ids"]) == 1  # the index holds the words
    data_dir = Path(services.settings.data_dir)
    assert found(needles, read_data_dir(data_dir)) == []  # while the index is open
    await services.search.close()
    assert found(needles, read_data_dir(data_dir)) == []  # sealed
    ram_dir = Path(services.settings.search_ram_dir)
    assert list(ram_dir.glob(f"sealbox-search-{os.getpid()}-*")) == []  # noqa: ASYNC240
    again = await client.one("Email/query", filter={"text": words[3]})
    assert len(again["ids"]) == 1  # and it comes back from the sealed files


async def test_the_scan_finds_an_index_kept_in_clear_on_the_data_disk(
    make_services: ServicesFactory, tmp_path: Path
) -> None:
    """The control: with the RAM directory moved onto the data disk, the scan must fire."""
    exposed = tmp_path / "data" / "ram"
    exposed.mkdir(parents=True)
    services = await make_services(search_ram_dir=str(exposed))
    if services.store.url.startswith("postgresql"):
        pytest.skip("the database must be under the data directory for the scan")
    client = await make_client(services)
    word = _canary_word()
    await client.import_email(raw_message("Hello", "m@x", body=f"{word}\r\n"))
    await client.one("Email/query", filter={"text": word})
    needles = Needles()
    needles.add("a tantivy file in clear", TANTIVY_MARKERS)
    assert found(needles, read_data_dir(tmp_path / "data"))
    [directory] = exposed.iterdir()
    index = tantivy.Index.open(str(directory))
    register(index, "")
    query = tantivy.Query.term_query(index.schema, "body", word.lower())
    assert index.searcher().search(query, 1).count == 1  # what a thief would read
