"""The “浙里办” APP channel: pages under /zheliban/, back end under /zheliban/api/."""
