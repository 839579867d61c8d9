"""moto's server, with the calls where moto differs from AWS in a way that
matters to the crash tests patched to AWS's documented behaviour (see
../shared/notes/moto-fidelity.md). Everything else is moto as installed.

    .venv/bin/python scripts/moto-server.py -H 127.0.0.1 -p PORT

- RemoveRoleFromInstanceProfile of a role that is not in the profile: AWS
  answers NoSuchEntity; moto fails with HTTP 500 (a Python ValueError). A
  remove that landed after its client died meets this on the next run.
- RunInstances with a ClientToken used before: AWS returns the instances of
  the first call; moto ignores the token and makes new ones. A create
  retried under its intent's token after a lost request meets this.
"""

import sys

from moto.ec2.models.instances import InstanceBackend
from moto.iam.exceptions import NotFoundException
from moto.iam.models import IAMBackend
from moto.server import main

_remove_role = IAMBackend.remove_role_from_instance_profile


def remove_role_from_instance_profile(self, profile_name, role_name):
    profile = self.get_instance_profile(profile_name)
    role = self.get_role(role_name)
    if role not in profile.roles:
        raise NotFoundException(
            f"The role with name {role_name} cannot be found in instance profile "
            f"{profile_name}.")
    return _remove_role(self, profile_name, role_name)


IAMBackend.remove_role_from_instance_profile = remove_role_from_instance_profile

_run_instances = InstanceBackend.run_instances
# What moto's responses use when a request has no ClientToken.
NO_TOKEN = "ABCDE"


def run_instances(self, image_id, count, user_data, security_group_names, **kwargs):
    token = kwargs.get("client_token")
    if token and token != NO_TOKEN:
        for reservation in self.reservations.values():
            if any(i.client_token == token for i in reservation.instances):
                return reservation
    return _run_instances(self, image_id, count, user_data, security_group_names, **kwargs)


InstanceBackend.run_instances = run_instances

if __name__ == "__main__":
    sys.exit(main())
