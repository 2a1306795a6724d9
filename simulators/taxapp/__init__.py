"""The “宁波税务” APP channel: pages under /taxapp/, back end under /taxapp/api/."""
