from cloudkitty.db import migration

migration.run_migrations()
