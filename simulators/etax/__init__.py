"""The 宁波市电子税务局 channel (a desktop website): pages under /etax/, back end under /etax/api/."""
