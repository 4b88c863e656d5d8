"""The command line: Toxiproxy's flags, and a -config file of proxies to start with."""

import json

import requests

from tests.faultproxy.conftest import start_server, stop_server


def test_a_config_file_creates_its_proxies_at_start(tmp_path):
    config = tmp_path / "proxies.json"
    config.write_text(json.dumps([{"name": "db", "upstream": "127.0.0.1:5432", "listen": "127.0.0.1:0"},
                                  {"name": "off", "upstream": "127.0.0.1:6379", "enabled": False}]))
    proc, api = start_server(7, f"-config={config}")
    try:
        proxies = requests.get(f"{api}/proxies", timeout=5).json()
    finally:
        stop_server(proc)
    assert proxies["db"]["enabled"] is True and proxies["off"]["enabled"] is False


def test_a_bad_config_file_is_logged_and_the_server_runs_without_it(tmp_path):
    config = tmp_path / "broken.json"
    config.write_text("[{")
    proc, api = start_server(7, "-config", str(config))
    try:
        assert requests.get(f"{api}/proxies", timeout=5).json() == {}
    finally:
        stop_server(proc)
    out = proc.stdout.read().decode()
    assert '"level": "ERROR"' in out and "failed to populate proxies from file" in out


def test_toxiproxy_cli_list_prints_the_proxies_and_exits_0_while_the_server_answers(api, capsys):
    from services.faultproxy import cli

    requests.post(f"{api}/proxies", json={"name": "db", "upstream": "127.0.0.1:5432", "listen": "127.0.0.1:0"},
                  timeout=5).raise_for_status()
    assert cli.main(["-host", api, "list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split("\t") == ["Name", "Listen", "Upstream", "Enabled", "Toxics"]
    assert lines[1].split("\t")[0] == "db" and lines[1].split("\t")[2:] == ["127.0.0.1:5432", "True", "0"]


def test_toxiproxy_cli_list_exits_1_with_one_line_when_no_server_answers(capsys):
    from services.faultproxy import cli

    assert cli.main(["-host", "http://127.0.0.1:9", "list"]) == 1  # discard port: nothing listens
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("Failed to retrieve proxies")
