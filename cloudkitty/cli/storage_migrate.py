"""``cloudkitty-storage-migrate`` (being written)."""
import sys


def main(argv=None):
    return 0


if __name__ == '__main__':
    sys.exit(main())
