"""Settings: one precedence rule (flag > environment > file > default), refusals that name the
setting, and ``slotbook config show`` without secrets."""

from __future__ import annotations

from pathlib import Path

import pytest

from slotbook.cli import main
from slotbook.config import OPTIONS, Settings


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Start every test from no SLOTBOOK_… settings, whatever the shell running pytest has."""
    for option in OPTIONS:
        monkeypatch.delenv(option.env, raising=False)
    monkeypatch.delenv("SLOTBOOK_CONFIG", raising=False)


def shown(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, tuple[str, str]]:
    """``slotbook config show`` as {key: (value, source)}."""
    assert main(["config", "show", *args]) == 0
    rows = {}
    for line in capsys.readouterr().out.splitlines():
        key, _, rest = line.partition(" = ")
        value, _, source = rest.rpartition("  # ")
        rows[key] = (value, source)
    return rows


def test_a_flag_beats_the_environment_which_beats_the_file_which_beats_the_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    file = tmp_path / "slotbook.toml"
    file.write_text('port = 9000\nlog_level = "debug"\nmail_from = "desk@example.org"\n')
    monkeypatch.setenv("SLOTBOOK_PORT", "9100")
    monkeypatch.setenv("SLOTBOOK_LOG_LEVEL", "warning")

    settings = shown(capsys, "--config", str(file), "--port", "9200")

    assert settings["port"] == ("9200", "flag")
    assert settings["log_level"] == ('"warning"', "environment")
    assert settings["mail_from"] == ('"desk@example.org"', "file")
    assert settings["host"] == ('"127.0.0.1"', "default")
    # Without the flag the environment counts; without both, the file.
    assert shown(capsys, "--config", str(file))["port"] == ("9100", "environment")
    monkeypatch.delenv("SLOTBOOK_PORT")
    assert shown(capsys, "--config", str(file))["port"] == ("9000", "file")


def test_the_settings_file_can_be_named_by_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    file = tmp_path / "slotbook.toml"
    file.write_text('cors_origins = ["https://a.example", "https://b.example"]\nmetrics = false\n')
    monkeypatch.setenv("SLOTBOOK_CONFIG", str(file))

    settings = shown(capsys)

    assert settings["cors_origins"] == ('["https://a.example", "https://b.example"]', "file")
    assert settings["metrics"] == ("false", "file")


def test_the_older_flags_and_variables_keep_working(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SLOTBOOK_CORS_ORIGINS", "https://a.example, https://b.example")
    monkeypatch.setenv("SLOTBOOK_WORKER", "0")
    monkeypatch.setenv("SLOTBOOK_DELIVERY_LEASE", "2")
    monkeypatch.setenv("SLOTBOOK_TRUSTED_PROXIES", "10.0.0.0/8")

    settings = shown(capsys, "--trusted-proxy", "192.0.2.1", "--trusted-proxy", "192.0.2.2")

    assert settings["cors_origins"][0] == '["https://a.example", "https://b.example"]'
    assert settings["worker"] == ("false", "environment")
    assert settings["delivery_lease"] == ("2.0", "environment")
    assert settings["trusted_proxies"] == ('["192.0.2.1", "192.0.2.2"]', "flag")
    assert shown(capsys, "--worker")["worker"] == ("true", "flag")
    monkeypatch.delenv("SLOTBOOK_WORKER")
    assert shown(capsys, "--no-worker")["worker"] == ("false", "flag")


def test_links_in_mails_point_at_the_server_itself_unless_a_public_url_is_set(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert shown(capsys, "--host", "0.0.0.0", "--port", "8123")["public_url"] == (
        '"http://127.0.0.1:8123"',
        "default",
    )
    public = shown(capsys, "--public-url", "https://afspraak.example.org")["public_url"]
    assert public == ('"https://afspraak.example.org"', "flag")


def test_an_unknown_key_in_the_settings_file_stops_the_start(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    file = tmp_path / "slotbook.toml"
    file.write_text("prot = 8080\n")
    database = tmp_path / "never.sqlite3"

    code = main(["serve", "--config", str(file), "--database", f"sqlite:///{database}"])

    assert code == 1
    error = capsys.readouterr().err
    assert "unknown setting 'prot'" in error and str(file) in error
    assert not database.exists(), "the server must not start (nor migrate) with bad settings"


def test_a_settings_file_that_is_not_toml_is_refused_with_its_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    file = tmp_path / "slotbook.toml"
    file.write_text("port = \n")
    assert main(["config", "show", "--config", str(file)]) == 1
    assert f"settings file {file}: not valid TOML" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("env", "file_text", "args", "named"),
    [
        ({"SLOTBOOK_PORT": "eighty"}, "", [], "SLOTBOOK_PORT"),
        ({}, 'workers = "two"\n', [], "workers"),
        ({}, "workers = 0\n", [], "workers"),
        ({}, 'log_format = "xml"\n', [], "log_format"),
        ({}, "", ["--public-url", "afspraak.example.org"], "--public-url"),
        ({"SLOTBOOK_SMTP_URL": "mail.example.org"}, "", [], "SLOTBOOK_SMTP_URL"),
        ({"SLOTBOOK_METRICS": "maybe"}, "", [], "SLOTBOOK_METRICS"),
        ({}, "metrics_port = 8000\n", [], "metrics_port"),
        ({"SLOTBOOK_TRUSTED_PROXIES": "proxy.local"}, "", [], "SLOTBOOK_TRUSTED_PROXIES"),
    ],
)
def test_a_bad_value_stops_the_start_with_a_message_naming_the_setting(
    env: dict[str, str],
    file_text: str,
    args: list[str],
    named: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    file = tmp_path / "slotbook.toml"
    file.write_text(file_text)
    database = tmp_path / "never.sqlite3"

    code = main(["serve", "--config", str(file), "--database", f"sqlite:///{database}", *args])

    assert code == 1
    error = capsys.readouterr().err
    assert error.startswith("error: ") and named in error, error
    assert not database.exists()


def test_config_show_masks_passwords_and_tokens(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SLOTBOOK_SMTP_URL", "smtps://mailer:Mail-Secret-1@mail.example.org:465")
    database = "postgresql://slotbook:Db-Secret-2@db.internal/slotbook?sslmode=require&password=Q3"

    assert main(["config", "show", "--database", database]) == 0
    out = capsys.readouterr().out

    for secret in ("Mail-Secret-1", "Db-Secret-2", "Q3"):
        assert secret not in out
    assert 'smtp_url = "smtps://mailer:***@mail.example.org:465"  # environment' in out
    assert "postgresql://slotbook:***@db.internal/slotbook?sslmode=require&password=***" in out


def test_the_server_processes_get_exactly_the_settings_the_command_resolved(
    tmp_path: Path,
) -> None:
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'x.sqlite3'}",
        cors_origins=("https://a.example",),
        worker=False,
        log_format="json",
        metrics_port=9464,
        delivery_lease=2.5,
    )
    assert Settings.from_env(settings.to_env()) == settings


def test_the_help_states_the_precedence_rule(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "a flag beats the environment, the environment beats the file" in text


def test_the_readme_table_names_every_setting_with_its_flag_and_variable() -> None:
    readme = (Path(__file__).parents[2] / "README.md").read_text()
    rows = {
        line.split("|")[1].strip(" `"): line
        for line in readme.splitlines()
        if line.startswith("| `")
    }
    for option in OPTIONS:
        assert option.key in rows, f"README's settings table lacks {option.key}"
        assert f"`{option.flag}" in rows[option.key] and f"`{option.env}`" in rows[option.key]


def test_a_server_started_by_another_asgi_runner_reads_the_file_the_environment_names(
    tmp_path: Path,
) -> None:
    file = tmp_path / "slotbook.toml"
    file.write_text('log_format = "json"\nport = 9000\n')
    env = {"SLOTBOOK_CONFIG": str(file), "SLOTBOOK_PORT": "9100"}
    settings = Settings.from_env(env)
    assert (settings.log_format, settings.port) == ("json", 9100)
