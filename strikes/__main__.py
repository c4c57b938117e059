import sys

from strikes.cli.main import main

sys.exit(main())
