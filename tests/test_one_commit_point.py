"""Only the unit of work commits: no other module of the application calls commit()."""

from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "inventory_api"


def test_only_common_uow_commits():
    offenders = [str(path.relative_to(PACKAGE)) for path in PACKAGE.rglob("*.py")
                 if "session.commit(" in path.read_text() and path.name != "uow.py"]
    assert offenders == []
