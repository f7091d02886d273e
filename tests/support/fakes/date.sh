#!/bin/bash
# `date +%s` on the fake clock: the seconds in $FAKE_CLOCK, which the fake sleep moves on. Any other
# form is refused: the scripts read the time this way only, and a new form needs its fake.
if [[ "$*" != "+%s" ]]; then
  echo "date: the fake answers +%s only, not: $*" >&2
  exit 1
fi
cat "${FAKE_CLOCK:?the fake date reads the fake clock}"
