"""What pyproject.toml cannot say: every ``incidents`` package (found, so a new
stage needs no edit here) plus ``incidents.data``, which is the checkout's top-level
``data/`` directory. An installed package reads its bundled data from
``incidents/data/``; a checkout from ``data/`` (see ``incidents.config.DATA_DIR``).

And a build step: the message catalogs (``incidents/locale/*/LC_MESSAGES/*.po``) are
compiled to ``.mo`` in the built package, by ``incidents.i18n.compile_catalogs`` (loaded
from its file: the package's other modules need dependencies a build does not have)."""

import importlib.util
from pathlib import Path

from setuptools import find_packages, setup
from setuptools.command.build_py import build_py


class BuildWithCatalogs(build_py):
    def run(self) -> None:
        super().run()
        spec = importlib.util.spec_from_file_location("incidents_i18n", Path("incidents") / "i18n.py")
        i18n = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(i18n)
        i18n.compile_catalogs(Path(self.build_lib) / "incidents" / "locale")


setup(
    packages=[*find_packages(include=["incidents", "incidents.*"]), "incidents.data"],
    package_dir={"incidents.data": "data"},
    cmdclass={"build_py": BuildWithCatalogs},
)
