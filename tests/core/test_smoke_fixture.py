from api.services import Services
from crypto.secret_value import SecretStr


async def test_account_round_trip(services: Services) -> None:
    await services.domains.add("example.org")
    created = await services.accounts.create(
        "alice@example.org", SecretStr("correct horse battery staple")
    )
    assert (await services.accounts.get("Alice@Example.org")).id == created.account.id


def test_server_status(server) -> None:
    from support.server import https_client

    r = https_client(server).get("/")
    assert "Sealbox is running" in r.text
