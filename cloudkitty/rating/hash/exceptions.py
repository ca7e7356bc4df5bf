"""Errors of the hashmap rating module.

They say what is wrong, not how to answer it: the API controllers map
each class to an HTTP status (``controllers/utils.py``).
"""


class HashMapError(Exception):
    """Base of the hashmap errors."""


class ClientHashMapError(HashMapError):
    """A request breaking a rule of the module."""


class NotFound(HashMapError):
    """An object named by the request's path does not exist."""


class NoSuchService(NotFound):

    def __init__(self, name=None, uuid=None):
        self.name = name
        self.uuid = uuid
        super().__init__('No such service: %s (UUID: %s)' % (name, uuid))


class UnknownBodyService(ClientHashMapError, NoSuchService):
    """A service named in a request body does not exist.

    The body is wrong, not the path: a client error rather than a miss.
    """


class NoSuchField(NotFound):

    def __init__(self, uuid):
        self.uuid = uuid
        super().__init__('No such field: %s' % uuid)


class NoSuchGroup(NotFound):

    def __init__(self, name=None, uuid=None):
        self.name = name
        self.uuid = uuid
        super().__init__('No such group: %s (UUID: %s)' % (name, uuid))


class NoSuchMapping(NotFound):

    def __init__(self, uuid):
        self.uuid = uuid
        super().__init__('No such mapping: %s' % uuid)


class NoSuchThreshold(NotFound):

    def __init__(self, uuid):
        self.uuid = uuid
        super().__init__('No such threshold: %s' % uuid)


class MappingHasNoGroup(NotFound):

    def __init__(self, uuid):
        self.uuid = uuid
        super().__init__('Mapping has no group (UUID: %s)' % uuid)


class ThresholdHasNoGroup(NotFound):

    def __init__(self, uuid):
        self.uuid = uuid
        super().__init__('Threshold has no group (UUID: %s)' % uuid)


class AlreadyExists(HashMapError):
    """The object would duplicate an existing one."""


class ServiceAlreadyExists(AlreadyExists):
    def __init__(self, name, uuid):
        super().__init__('Service %s already exists (UUID: %s)'
                         % (name, uuid))


class FieldAlreadyExists(AlreadyExists):
    def __init__(self, name, uuid):
        super().__init__('Field %s already exists (UUID: %s)'
                         % (name, uuid))


class GroupAlreadyExists(AlreadyExists):
    def __init__(self, name, uuid):
        super().__init__('Group %s already exists (UUID: %s)'
                         % (name, uuid))


class MappingAlreadyExists(AlreadyExists):
    def __init__(self, value, parent_id, parent_type, tenant_id=None):
        super().__init__(
            "Mapping '%s' already exists for %s '%s', tenant: '%s'"
            % (value, parent_type, parent_id, tenant_id))


class ThresholdAlreadyExists(AlreadyExists):
    def __init__(self, level, parent_id, parent_type, tenant_id=None):
        super().__init__(
            "Threshold '%s' already exists for %s '%s', tenant: '%s'"
            % (level, parent_type, parent_id, tenant_id))
