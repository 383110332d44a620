from .conftest import account_client, m2m_client, pat_client, provision


def test_provision_and_use_workspace(emulator, estate):
    a = account_client(emulator)
    ws, url = provision(a, estate)
    assert ws.workspace_status.value == "RUNNING"
    w = m2m_client(url)
    me = w.current_user.me()
    assert me.id
    pat = w.tokens.create(comment="automation", lifetime_seconds=3600)
    w2 = pat_client(url, pat.token_value)
    assert w2.current_user.me().id == me.id
