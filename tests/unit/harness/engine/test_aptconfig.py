from runbook_drill.harness.engine.aptconfig import debian_mirror

DEB822 = """Types: deb
# http://snapshot.example/archive
URIs: http://mirror.example/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://mirror.example/debian-security
Suites: bookworm-security
Components: main
"""


def _etc(tmp_path, files):
    (tmp_path / "sources.list.d").mkdir()
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    return tmp_path


def test_a_deb822_source_for_the_suite_gives_its_mirror(tmp_path):
    etc = _etc(tmp_path, {"sources.list.d/debian.sources": DEB822})
    assert debian_mirror("bookworm", etc) == "http://mirror.example/debian"


def test_a_one_line_source_with_options_gives_its_mirror(tmp_path):
    etc = _etc(tmp_path, {"sources.list": "# comment\ndeb-src http://src.example/ bookworm main\n"
                                          "deb [arch=amd64 signed-by=/k.gpg] http://one.example/debian bookworm main contrib\n"})
    assert debian_mirror("bookworm", etc) == "http://one.example/debian"


def test_sources_of_other_suites_or_without_main_are_passed_over(tmp_path):
    etc = _etc(tmp_path, {"sources.list": "deb http://a.example/ trixie main\ndeb http://b.example/ bookworm contrib\n",
                          "sources.list.d/vendor.list": "deb https://vendor.example/apt cloud-sdk-bookworm main\n"})
    assert debian_mirror("bookworm", etc) is None


def test_no_apt_configuration_gives_no_mirror(tmp_path):
    assert debian_mirror("bookworm", tmp_path / "missing") is None
