"""Map the top-level folders onto the ``iacmod`` import package.

``iacmod/`` is the core package, ``cli/`` imports as ``iacmod.cli`` and ``codemods/``
as ``iacmod.codemods``. Nothing is installed as a top-level ``cli`` or ``codemods``.
Metadata lives in pyproject.toml; only the package mapping is computed here.
"""

from setuptools import find_packages, setup

ROOTS = {"iacmod": "iacmod", "iacmod.cli": "cli", "iacmod.codemods": "codemods"}

packages: list[str] = []
package_dir: dict[str, str] = {}
for package, folder in ROOTS.items():
    packages.append(package)
    package_dir[package] = folder
    for sub in find_packages(folder):
        packages.append(f"{package}.{sub}")
        package_dir[f"{package}.{sub}"] = f"{folder}/{sub.replace('.', '/')}"

setup(packages=packages, package_dir=package_dir)
