"""Allow ``python -m slotbook``."""

from slotbook.cli import main

raise SystemExit(main())
