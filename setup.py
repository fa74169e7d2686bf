"""Lists the packages of the one ``flipdish_sim`` namespace; pyproject.toml maps the folders.

setuptools' ``packages.find`` cannot discover packages below a remapped folder, so the subpackages of
``simulator/``, ``contracts/``, ``plugin/`` and ``conformance/`` are found here and named under
``flipdish_sim``.
"""

from setuptools import find_packages, setup

FOLDERS = ("simulator", "contracts", "plugin", "conformance")

packages = find_packages("src")
for folder in FOLDERS:
    packages.append(f"flipdish_sim.{folder}")
    packages.extend(f"flipdish_sim.{folder}.{sub}" for sub in find_packages(folder))

setup(packages=packages)
