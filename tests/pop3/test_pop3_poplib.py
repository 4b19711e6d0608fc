"""Python's poplib against the in-process server over STLS and implicit TLS: sign-in rules,
and STAT/LIST/UIDL/TOP/RETR/DELE/RSET/QUIT checked against what JMAP imported and sees."""

from __future__ import annotations

import asyncio
import base64
import poplib
from pathlib import Path

import pytest
from support.services import PASSWORD

from api.config import ConfigError, load_settings
from tests.pop3.conftest import Pop3Account, Pop3Server, running_pop3
from tests.pop3.messages import DOTTED, message


async def _fill(account: Pop3Account, *raws: bytes) -> list[str]:
    """Import into the Inbox, one minute apart; the email ids in arrival order."""
    ids = []
    for minute, raw in enumerate(raws):
        created = await account.jmap.import_email(raw, receivedAt=f"2026-12-01T09:{minute:02d}:00Z")
        ids.append(str(created["id"]))
    return ids


async def test_user_pass_refused_before_stls_then_works(pop3_server: Pop3Server) -> None:
    account = await pop3_server.account()

    def run() -> None:
        client = pop3_server.plain()
        before = client.capa()
        assert "STLS" in before and "USER" not in before and "SASL" not in before
        with pytest.raises(poplib.error_proto, match=r"\[AUTH\].*TLS"):
            client.user(account.address)
        with pytest.raises(poplib.error_proto, match=r"\[AUTH\]"):
            client._shortcmd("AUTH PLAIN " + _plain(account.address, account.app_password))
        client.stls(context=pop3_server.client_context())
        after = client.capa()
        assert "STLS" not in after and after["SASL"] == ["PLAIN"] and "USER" in after
        assert {"TOP", "UIDL", "RESP-CODES", "PIPELINING"} <= set(after)
        client.user(account.address)
        assert client.pass_(account.app_password).startswith(b"+OK")
        assert client.stat() == (0, 0)
        assert client.quit().startswith(b"+OK")

    await asyncio.to_thread(run)


def _plain(user: str, password: str, authzid: str = "") -> str:
    return base64.b64encode(f"{authzid}\0{user}\0{password}".encode()).decode()


async def test_auth_plain_and_wrong_passwords(pop3_server: Pop3Server) -> None:
    account = await pop3_server.account()

    def run() -> None:
        client = pop3_server.tls()
        with pytest.raises(poplib.error_proto, match=r"\[AUTH\]"):
            client._shortcmd("AUTH PLAIN " + _plain(account.address, "not the password"))
        with pytest.raises(poplib.error_proto, match=r"\[AUTH\]"):
            client.user(account.address)
            client.pass_("not the password")
        with pytest.raises(poplib.error_proto, match=r"\[AUTH\]"):
            client._shortcmd("AUTH PLAIN " + _plain(account.address, "x", "other@example.org"))
        # Without an initial response: the "+ " continuation (RFC 5034 4).
        assert client._shortcmd("AUTH PLAIN").startswith(b"+ ")
        answer = client._shortcmd(_plain(account.address, account.app_password))
        assert answer.startswith(b"+OK")
        client.quit()
        # Without a second factor the account password works too.
        again = pop3_server.tls()
        again.user(account.address)
        assert again.pass_(PASSWORD.reveal()).startswith(b"+OK")
        again.quit()

    await asyncio.to_thread(run)


async def test_listing_and_content_equal_the_jmap_import(pop3_server: Pop3Server) -> None:
    account = await pop3_server.account()
    raws = [message("one", "body one"), DOTTED, message("three", "a", "b", "c")]
    ids = await _fill(account, *raws)
    got = await account.jmap.one("Email/get", ids=ids, properties=["size"])
    sizes = {e["id"]: e["size"] for e in got["list"]}

    def run() -> None:
        client = pop3_server.plain()
        client.stls(context=pop3_server.client_context())
        client.user(account.address)
        client.pass_(account.app_password)
        assert client.stat() == (3, sum(sizes.values()))
        _, listing, _ = client.list()
        assert listing == [f"{n} {sizes[i]}".encode() for n, i in enumerate(ids, 1)]
        _, uidls, _ = client.uidl()
        assert uidls == [f"{n} {i}".encode() for n, i in enumerate(ids, 1)]
        assert client.uidl(2) == f"+OK 2 {ids[1]}".encode()
        for number, raw in enumerate(raws, 1):
            _, lines, _ = client.retr(number)
            assert b"\r\n".join(lines) + b"\r\n" == raw
        _, top, _ = client.top(3, 1)
        header, _, _ = raws[2].partition(b"\r\n\r\n")
        assert top == [*header.split(b"\r\n"), b"", b"a"]
        _, top_zero, _ = client.top(3, 0)
        assert top_zero == [*header.split(b"\r\n"), b""]
        client.quit()

    await asyncio.to_thread(run)


async def test_dele_and_quit_moves_to_trash(pop3_server: Pop3Server) -> None:
    account = await pop3_server.account()
    ids = await _fill(account, message("keep"), message("drop"))
    trash = await account.jmap.mailbox("trash")

    def run() -> None:
        client = pop3_server.signed_in(account)
        assert client.dele(2).startswith(b"+OK")
        assert client.stat()[0] == 1
        assert [line.split()[0] for line in client.list()[1]] == [b"1"]
        for attempt in (lambda: client.retr(2), lambda: client.dele(2), lambda: client.top(2, 0)):
            with pytest.raises(poplib.error_proto, match="deleted"):
                attempt()
        with pytest.raises(poplib.error_proto, match="no message 3"):
            client.retr(3)
        client.quit()

    await asyncio.to_thread(run)
    assert await account.inbox_ids() == [ids[0]]
    assert await account.mailboxes_of(ids[1]) == {trash}


async def test_dele_then_rset_or_no_quit_keeps(pop3_server: Pop3Server) -> None:
    account = await pop3_server.account()
    ids = await _fill(account, message("a"), message("b"))

    def run() -> None:
        client = pop3_server.signed_in(account)
        client.dele(1)
        client.dele(2)
        assert client.stat() == (0, 0)
        assert client.rset().startswith(b"+OK")
        assert client.stat()[0] == 2
        client.quit()
        dropped = pop3_server.signed_in(account)
        dropped.dele(1)
        dropped.close()  # no QUIT: no UPDATE state (RFC 1939 6)

    await asyncio.to_thread(run)
    await asyncio.sleep(0.2)
    assert sorted(await account.inbox_ids()) == sorted(ids)


async def test_mail_after_sign_in_waits_for_the_next_session(pop3_server: Pop3Server) -> None:
    account = await pop3_server.account()
    await _fill(account, message("early"))
    client = await asyncio.to_thread(pop3_server.signed_in, account)
    later = await account.jmap.import_email(message("late"), receivedAt="2026-12-02T00:00:00Z")

    def first_session() -> None:
        assert client.stat()[0] == 1
        assert len(client.uidl()[1]) == 1
        client.quit()

    await asyncio.to_thread(first_session)

    def next_session() -> list[bytes]:
        again = pop3_server.signed_in(account)
        try:
            return list(again.uidl()[1])
        finally:
            again.quit()

    assert (await asyncio.to_thread(next_session))[-1] == f"2 {later['id']}".encode()


async def test_second_session_finds_the_maildrop_in_use(pop3_server: Pop3Server) -> None:
    account = await pop3_server.account()

    def run() -> None:
        first = pop3_server.signed_in(account)
        second = pop3_server.tls()
        second.user(account.address)
        with pytest.raises(poplib.error_proto, match=r"\[IN-USE\]"):
            second.pass_(account.app_password)
        first.quit()
        second.user(account.address)
        assert second.pass_(account.app_password).startswith(b"+OK")
        second.quit()

    await asyncio.to_thread(run)


async def test_message_in_another_mailbox_only_leaves_the_inbox(
    pop3_server: Pop3Server,
) -> None:
    account = await pop3_server.account()
    [email_id] = await _fill(account, message("filed"))
    archive = await account.jmap.mailbox("archive")
    await account.jmap.one("Email/set", update={email_id: {f"mailboxIds/{archive}": True}})

    def run() -> None:
        client = pop3_server.signed_in(account)
        client.dele(1)
        client.quit()

    await asyncio.to_thread(run)
    assert await account.mailboxes_of(email_id) == {archive}


async def test_pop3_delete_destroy_keeps_the_message_for_restore(tmp_path: Path) -> None:
    async with running_pop3(tmp_path / "data", pop3_delete="destroy") as server:
        account = await server.account()
        [email_id] = await _fill(account, message("destroyed"))

        def run() -> None:
            client = server.signed_in(account)
            client.dele(1)
            client.quit()

        await asyncio.to_thread(run)
        got = await account.jmap.one("Email/get", ids=[email_id], properties=["id"])
        assert got["notFound"] == [email_id]
        deleted = await account.jmap.one("Email/listDeleted")
        assert email_id in {item["id"] for item in deleted["list"]}


def test_pop3_delete_setting_is_checked() -> None:
    with pytest.raises(ConfigError, match="pop3_delete"):
        load_settings(None, {"pop3_delete": "shred"}, environ={})
