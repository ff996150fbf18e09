"""Resources: civstat's settings as a Dagster resource, and dbt."""

from __future__ import annotations

import dagster as dg

from civstat.settings import Settings


class CivstatResource(dg.ConfigurableResource):
    """civstat's settings inside a run.

    Only the state directory and the landing folder are resource config (they
    show in the UI); everything else, the pseudonym key above all, is
    resolved from the environment by :class:`Settings`, never shown.
    """

    home: str
    landing_dir: str

    def settings(self) -> Settings:
        return Settings.load({"home": self.home, "landing_dir": self.landing_dir})
