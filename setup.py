"""The one thing pyproject.toml cannot say: every ``incidents`` package (found, so a new
stage needs no edit here) plus ``incidents.data``, which is the checkout's top-level
``data/`` directory. An installed package reads its bundled data from
``incidents/data/``; a checkout from ``data/`` (see ``incidents.config.DATA_DIR``)."""

from setuptools import find_packages, setup

setup(
    packages=[*find_packages(include=["incidents", "incidents.*"]), "incidents.data"],
    package_dir={"incidents.data": "data"},
)
