"""A keyring kept in one JSON file (COPRODUCTION_TEST_KEYRING), standing in for the
operating system's keyring in tests: the machine's own is never touched."""

from __future__ import annotations

import json
import os
from pathlib import Path

from keyring.backend import KeyringBackend


class FileKeyring(KeyringBackend):
    priority = 1

    @property
    def _file(self) -> Path:
        return Path(os.environ["COPRODUCTION_TEST_KEYRING"])

    def _all(self) -> dict:
        return json.loads(self._file.read_text()) if self._file.exists() else {}

    def get_password(self, service, username):
        return self._all().get(f"{service}\n{username}")

    def set_password(self, service, username, password):
        kept = {**self._all(), f"{service}\n{username}": password}
        self._file.write_text(json.dumps(kept))
        os.chmod(self._file, 0o600)

    def delete_password(self, service, username):
        kept = self._all()
        kept.pop(f"{service}\n{username}", None)
        self._file.write_text(json.dumps(kept))
