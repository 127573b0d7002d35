import sys

from rater.app import main

sys.exit(main())
