"""Ships the top-level scenarios/ folder inside the package as `sandbox.shipped_scenarios`.

pyproject.toml cannot both auto-discover `sandbox*` and map an outside folder into the package,
so the mapping lives here; everything else is in pyproject.toml.
"""
from setuptools import find_packages, setup

setup(
    packages=find_packages(include=["sandbox", "sandbox.*"]) + ["sandbox.shipped_scenarios"],
    package_dir={"sandbox.shipped_scenarios": "scenarios"},
    package_data={"sandbox.shipped_scenarios": ["*.yaml", "**/*.yaml"], "sandbox": ["admin/static/*"]},
    include_package_data=False,
)
