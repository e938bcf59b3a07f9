"""PyInstaller hook for Faker, replacing the contributed one: English locales only.

The demo data generator (``services/demo_data.py``) uses ``Faker("en_GB")``.
Faker finds its providers and locales at run time; in a PyInstaller build it
lists them by looking for ``faker/providers/*/__init__.py`` *files* under the
bundle folder (``faker.utils.loading.list_module``), so besides the modules we
ship those ``__init__.py`` files as data. The contributed hook collects every
locale of every provider, as modules and again as source files (about 25 MB);
this one keeps ``en_GB``, the ``en_US`` / ``en`` fallbacks, and each provider's
declared ``default_locale`` (e.g. ``la`` for lorem), which is about a tenth.

A hook in ``hookspath`` takes precedence over the contributed hook of the same
name.
"""

from __future__ import annotations

import re
from pathlib import Path

from PyInstaller.utils.hooks import collect_submodules, get_package_paths

KEEP_LOCALES = {"en_GB", "en_US", "en", "la"}
_LOCALE = re.compile(r"^[a-z]{2,3}(_[A-Z][A-Za-z]{1,3})?$")


def _keep(name: str) -> bool:
    parts = name.split(".")
    # faker.providers.<provider>.<locale>[...]
    if len(parts) >= 4 and _LOCALE.match(parts[3]):
        return parts[3] in KEEP_LOCALES
    return True


hiddenimports = collect_submodules("faker.providers", filter=_keep)

_base, _package_dir = get_package_paths("faker")
_providers = Path(_package_dir) / "providers"
datas = []
for init in sorted(_providers.rglob("__init__.py")):
    module = "faker." + ".".join(init.parent.relative_to(Path(_package_dir)).parts)
    if _keep(module):
        destination = Path("faker") / init.parent.relative_to(Path(_package_dir))
        datas.append((str(init), str(destination)))
