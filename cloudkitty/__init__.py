import os
import warnings

# oslo.messaging imports oslo.service's eventlet backend, which warns on
# stderr at import time; console scripts must print one line on error.
warnings.filterwarnings('ignore', message=r'\s*Eventlet is deprecated')

# CloudKitty never monkey-patches with eventlet (cotyledon processes and
# threads), so eventlet's green DNS resolver is never used; importing it
# recompiles dnspython from source, close to a second of every start-up.
# An operator's explicit setting wins.
os.environ.setdefault('EVENTLET_NO_GREENDNS', 'yes')
