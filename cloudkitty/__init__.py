import warnings

# oslo.messaging imports oslo.service's eventlet backend, which warns on
# stderr at import time; console scripts must print one line on error.
warnings.filterwarnings('ignore', message=r'\s*Eventlet is deprecated')
