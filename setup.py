"""Build step: compile the gettext catalogues into the wheel, so a plain `pip install` serves every language.

Everything else about the package is in pyproject.toml. Fuzzy (unreviewed machine) entries stay out, as in
`make catalogs`; a broken catalogue fails the build rather than a server at run time.
"""

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py


class BuildWithCatalogues(build_py):
    """build_py, then every hotline/locales/<lang>/LC_MESSAGES/<domain>.po compiled beside its copy in the build."""

    def run(self) -> None:
        super().run()
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po

        source = Path(__file__).resolve().parent / "hotline" / "locales"
        for po in sorted(source.glob("*/LC_MESSAGES/*.po")):
            target = Path(self.build_lib) / "hotline" / "locales" / po.relative_to(source).with_suffix(".mo")
            target.parent.mkdir(parents=True, exist_ok=True)
            with po.open("rb") as handle:
                catalogue = read_po(handle, locale=None, domain=po.stem, abort_invalid=True)
            with target.open("wb") as out:
                write_mo(out, catalogue, use_fuzzy=False)


setup(cmdclass={"build_py": BuildWithCatalogues})
