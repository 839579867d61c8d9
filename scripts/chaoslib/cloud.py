"""What the stack has in the cloud and in the state, seen through the AWS
API and SQLite directly (never through skistack), and the checks over them:
duplicates, orphans, missing resources and, against a clean deploy, how each
resource is configured.
"""

import json
import re
import sqlite3

STACK = "environments"
# The capacity provider of `environments` with its default config.
CAPACITY_PROVIDER = "ceros-ski-staging"
# An id AWS makes up (vpc-0abc..., sgr-...) or an ARN.
GENERATED = re.compile(r"^(arn:|[a-z]+-[0-9a-f]{8,}$)")


# ---------------------------------------------------------------- the state


def read_state(path, stack=STACK):
    """Records of the stack, pending operations (but sweeps) and the
    integrity check."""
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        integrity = db.execute("PRAGMA integrity_check").fetchone()[0]
        records = {
            name: (typ, pid) for name, typ, pid in db.execute(
                "SELECT name, type, provider_id FROM resources WHERE stack = ? AND env = 'default'",
                (stack,))
        }
        # A sweep is not an interrupted operation: it watches, for an hour,
        # for a late duplicate of a create retried without a token.
        pending = [f"{kind} {name}" for kind, name in db.execute(
            "SELECT kind, name FROM pending_ops WHERE stack = ? AND kind != 'sweep'", (stack,))]
    finally:
        db.close()
    return records, pending, integrity


# ---------------------------------------------------------------- the cloud


def tag_map(tags, key="Key", value="Value"):
    return {t[key]: t.get(value, "") for t in tags or []}


def identity(tags, stack=STACK):
    """The logical resource a cloud resource belongs to, if it is the stack's."""
    if tags.get("skistack:stack") == stack and tags.get("skistack:env") == "default":
        return tags.get("skistack:resource")
    return None


class Cloud:
    """Lists the stack's resources through the AWS API, by type token."""

    def __init__(self, endpoint):
        import boto3
        kw = dict(region_name="us-east-1", endpoint_url=endpoint,
                  aws_access_key_id="testing", aws_secret_access_key="testing")
        self.ec2 = boto3.client("ec2", **kw)
        self.ecs = boto3.client("ecs", **kw)
        self.iam = boto3.client("iam", **kw)
        self.asg = boto3.client("autoscaling", **kw)
        self.elb = boto3.client("elbv2", **kw)
        self.logs = boto3.client("logs", **kw)
        self.ecr = boto3.client("ecr", **kw)

    def tagged(self, stack=STACK):
        """{type token: [(id, logical resource)]} of every tagged resource of
        the stack."""
        f = [{"Name": "tag:skistack:stack", "Values": [stack]}]
        out = {}

        def add(token, rid, tags):
            name = identity(tags, stack)
            if name is not None:
                out.setdefault(token, []).append((rid, name))

        ec2 = self.ec2
        for v in ec2.describe_vpcs(Filters=f)["Vpcs"]:
            add("aws:ec2:Vpc", v["VpcId"], tag_map(v.get("Tags")))
        for s in ec2.describe_subnets(Filters=f)["Subnets"]:
            add("aws:ec2:Subnet", s["SubnetId"], tag_map(s.get("Tags")))
        for g in ec2.describe_internet_gateways(Filters=f)["InternetGateways"]:
            add("aws:ec2:InternetGateway", g["InternetGatewayId"], tag_map(g.get("Tags")))
        for t in ec2.describe_route_tables(Filters=f)["RouteTables"]:
            add("aws:ec2:RouteTable", t["RouteTableId"], tag_map(t.get("Tags")))
        for a in ec2.describe_addresses(Filters=f)["Addresses"]:
            add("aws:ec2:Eip", a["AllocationId"], tag_map(a.get("Tags")))
        nats = ec2.describe_nat_gateways(Filters=f + [
            {"Name": "state", "Values": ["pending", "available"]}])["NatGateways"]
        for n in nats:
            add("aws:ec2:NatGateway", n["NatGatewayId"], tag_map(n.get("Tags")))
        for g in ec2.describe_security_groups(Filters=f)["SecurityGroups"]:
            add("aws:ec2:SecurityGroup", g["GroupId"], tag_map(g.get("Tags")))
        for r in ec2.describe_security_group_rules(Filters=f)["SecurityGroupRules"]:
            add("aws:ec2:SecurityGroupRule", r["SecurityGroupRuleId"], tag_map(r.get("Tags")))
        for k in ec2.describe_key_pairs(Filters=f)["KeyPairs"]:
            add("aws:ec2:KeyPair", k["KeyName"], tag_map(k.get("Tags")))
        live = [{"Name": "instance-state-name",
                 "Values": ["pending", "running", "stopping", "stopped"]}]
        for res in ec2.describe_instances(Filters=f + live)["Reservations"]:
            for i in res["Instances"]:
                tags = tag_map(i.get("Tags"))
                # The auto scaling group's instances carry the launch
                # template's tags; the group is the logical resource.
                if "aws:autoscaling:groupName" not in tags:
                    add("aws:ec2:Instance", i["InstanceId"], tags)
        for t in ec2.describe_launch_templates(Filters=f)["LaunchTemplates"]:
            add("aws:ec2:LaunchTemplate", t["LaunchTemplateId"], tag_map(t.get("Tags")))

        ecs = self.ecs
        arns = ecs.list_clusters()["clusterArns"]
        clusters = ecs.describe_clusters(clusters=arns, include=["TAGS"])["clusters"] if arns else []
        for c in clusters:
            if c.get("status") == "ACTIVE":
                add("aws:ecs:Cluster", c["clusterName"], tag_map(c.get("tags"), "key", "value"))
                services = ecs.list_services(cluster=c["clusterArn"])["serviceArns"]
                if services:
                    for s in ecs.describe_services(cluster=c["clusterArn"], services=services,
                                                   include=["TAGS"])["services"]:
                        if s.get("status") == "ACTIVE":
                            add("aws:ecs:Service", s["serviceArn"],
                                tag_map(s.get("tags"), "key", "value"))
        for arn in ecs.list_task_definitions(status="ACTIVE")["taskDefinitionArns"]:
            d = ecs.describe_task_definition(taskDefinition=arn, include=["TAGS"])
            add("aws:ecs:TaskDefinition", arn, tag_map(d.get("tags"), "key", "value"))
        # moto can't list capacity providers without names: ask for the
        # stack's (its name is fixed by the config) and those clusters use.
        names = {CAPACITY_PROVIDER} | {n for c in clusters for n in c.get("capacityProviders", [])}
        found = ecs.describe_capacity_providers(capacityProviders=sorted(names),
                                                include=["TAGS"])["capacityProviders"]
        for p in found:
            if p.get("status") == "ACTIVE" and "autoScalingGroupProvider" in p:
                add("aws:ecs:CapacityProvider", p["name"], tag_map(p.get("tags"), "key", "value"))

        for role in self.iam.list_roles()["Roles"]:
            tags = tag_map(self.iam.list_role_tags(RoleName=role["RoleName"])["Tags"])
            add("aws:iam:Role", role["RoleName"], tags)
        for prof in self.iam.list_instance_profiles()["InstanceProfiles"]:
            tags = tag_map(self.iam.get_instance_profile(
                InstanceProfileName=prof["InstanceProfileName"])["InstanceProfile"].get("Tags"))
            add("aws:iam:InstanceProfile", prof["InstanceProfileName"], tags)

        for g in self.asg.describe_auto_scaling_groups()["AutoScalingGroups"]:
            add("aws:autoscaling:Group", g["AutoScalingGroupName"], tag_map(g.get("Tags")))

        elb = self.elb
        lbs = elb.describe_load_balancers()["LoadBalancers"]
        tgs = elb.describe_target_groups()["TargetGroups"]
        listeners = [l for lb in lbs
                     for l in elb.describe_listeners(LoadBalancerArn=lb["LoadBalancerArn"])["Listeners"]]
        arns = ([(lb["LoadBalancerArn"], "aws:elbv2:LoadBalancer") for lb in lbs]
                + [(tg["TargetGroupArn"], "aws:elbv2:TargetGroup") for tg in tgs]
                + [(l["ListenerArn"], "aws:elbv2:Listener") for l in listeners])
        for start in range(0, len(arns), 20):
            chunk = arns[start:start + 20]
            descs = elb.describe_tags(ResourceArns=[a for a, _ in chunk])["TagDescriptions"]
            kinds = dict(chunk)
            for d in descs:
                add(kinds[d["ResourceArn"]], d["ResourceArn"], tag_map(d.get("Tags")))

        for g in self.logs.describe_log_groups()["logGroups"]:
            arn = g["arn"].removesuffix(":*")
            tags = self.logs.list_tags_for_resource(resourceArn=arn).get("tags", {})
            add("aws:logs:LogGroup", g["logGroupName"], tags)
        for r in self.ecr.describe_repositories()["repositories"]:
            tags = self.ecr.list_tags_for_resource(resourceArn=r["repositoryArn"]).get("tags", [])
            add("aws:ecr:Repository", r["repositoryName"], tag_map(tags))
        return out

    def untagged(self, tagged):
        """{type token: set of ids} of the untagged resources hanging off the
        stack's tagged ones: routes and associations of its route tables,
        policies attached to its roles, capacity providers of its clusters."""
        out = {"aws:ec2:Route": set(), "aws:ec2:RouteTableAssociation": set(),
               "aws:iam:RolePolicyAttachment": set(), "aws:ecs:ClusterCapacityProviders": set()}
        tables = [rid for rid, _ in tagged.get("aws:ec2:RouteTable", [])]
        if tables:
            for t in self.ec2.describe_route_tables(RouteTableIds=tables)["RouteTables"]:
                for r in t.get("Routes", []):
                    if r.get("GatewayId") != "local" and "DestinationCidrBlock" in r:
                        out["aws:ec2:Route"].add(f"{t['RouteTableId']}_{r['DestinationCidrBlock']}")
                for a in t.get("Associations", []):
                    state = a.get("AssociationState", {}).get("State", "associated")
                    if not a.get("Main") and state not in ("disassociated", "disassociating"):
                        out["aws:ec2:RouteTableAssociation"].add(a["RouteTableAssociationId"])
        for role, _ in tagged.get("aws:iam:Role", []):
            for p in self.iam.list_attached_role_policies(RoleName=role)["AttachedPolicies"]:
                out["aws:iam:RolePolicyAttachment"].add(f"{role}/{p['PolicyArn']}")
        clusters = [rid for rid, _ in tagged.get("aws:ecs:Cluster", [])]
        if clusters:
            for c in self.ecs.describe_clusters(clusters=clusters)["clusters"]:
                if c.get("capacityProviders"):
                    out["aws:ecs:ClusterCapacityProviders"].add(c["clusterName"])
        return out


def check(cloud, records, stack=STACK):
    """(duplicates, orphans, missing), each a list of descriptions."""
    tagged = cloud.tagged(stack)
    untagged = cloud.untagged(tagged)
    recorded_ids = {}
    for name, (typ, pid) in records.items():
        for one in pid.split(",") if typ == "aws:ec2:SecurityGroupRule" else [pid]:
            recorded_ids.setdefault(typ, {})[one] = name
    duplicates, orphans, missing = [], [], []
    by_identity = {}
    for token, found in tagged.items():
        for rid, name in found:
            by_identity.setdefault((token, name), []).append(rid)
            if rid not in recorded_ids.get(token, {}):
                orphans.append(f"{token} {rid} ({name})")
    for (token, name), ids in sorted(by_identity.items()):
        # A rule with several CIDR blocks is several AWS rules by design.
        expected = 1
        if token == "aws:ec2:SecurityGroupRule" and name in records:
            expected = len(records[name][1].split(","))
        if len(ids) > expected:
            duplicates.append(f"{name} ({token}) exists {len(ids)} times: {', '.join(sorted(ids))}")
    for token, ids in untagged.items():
        for rid in sorted(ids):
            if rid not in recorded_ids.get(token, {}):
                orphans.append(f"{token} {rid}")
    cloud_ids = {token: {rid for rid, _ in found} for token, found in tagged.items()}
    for token, ids in untagged.items():
        cloud_ids[token] = ids
    for token, ids in recorded_ids.items():
        for rid, name in ids.items():
            if rid not in cloud_ids.get(token, set()):
                missing.append(f"{name} ({token}) {rid}")
    return duplicates, orphans, missing


# ---------------------------------------------------------------- configuration


def _pick(d, *keys):
    return {k: d[k] for k in keys if k in d}


def _tags(tags, key="Key", value="Value"):
    """Tags without AWS's own (`aws:*`)."""
    return {k: v for k, v in tag_map(tags, key, value).items() if not k.startswith("aws:")}


class Configuration:
    """How each logical resource of the stack is configured, as the AWS API
    describes it, with every id of the stack's own resources replaced by
    the logical name that owns it, so two deploys compare equal exactly
    when they are configured alike."""

    def __init__(self, cloud):
        self.cloud = cloud

    def read(self, tagged=None, stack=STACK):
        """{logical name (token): description}."""
        tagged = tagged if tagged is not None else self.cloud.tagged(stack)
        names = {}
        for token, found in tagged.items():
            for rid, name in found:
                names[rid] = f"<{name}>"
        out = {}
        for token, found in sorted(tagged.items()):
            describe = getattr(self, "_" + token.split(":")[-1].lower(), None)
            for rid, name in found:
                key = f"{name} ({token})"
                if key in out:
                    key += f" {rid}"
                out[key] = describe(rid, names) if describe else {}
        # Longest first: one id may contain another (a role named after
        # its cluster), and the result must not depend on listing order.
        ordered = dict(sorted(names.items(), key=lambda kv: (-len(kv[0]), kv[0])))
        return _normalise(out, ordered)

    # One function per type token (its last part, lower case), each given
    # the resource's id and the id->name map (to add ids of its own).

    def _vpc(self, rid, names):
        ec2 = self.cloud.ec2
        v = ec2.describe_vpcs(VpcIds=[rid])["Vpcs"][0]
        out = _pick(v, "CidrBlock", "InstanceTenancy")
        out["tags"] = _tags(v.get("Tags"))
        for attr, key in (("enableDnsSupport", "EnableDnsSupport"),
                          ("enableDnsHostnames", "EnableDnsHostnames")):
            out[attr] = ec2.describe_vpc_attribute(VpcId=rid, Attribute=attr)[key]["Value"]
        return out

    def _subnet(self, rid, names):
        s = self.cloud.ec2.describe_subnets(SubnetIds=[rid])["Subnets"][0]
        out = _pick(s, "VpcId", "CidrBlock", "AvailabilityZone", "MapPublicIpOnLaunch")
        out["tags"] = _tags(s.get("Tags"))
        return out

    def _internetgateway(self, rid, names):
        g = self.cloud.ec2.describe_internet_gateways(InternetGatewayIds=[rid])["InternetGateways"][0]
        return {"attachments": [_pick(a, "VpcId", "State") for a in g.get("Attachments", [])],
                "tags": _tags(g.get("Tags"))}

    def _routetable(self, rid, names):
        t = self.cloud.ec2.describe_route_tables(RouteTableIds=[rid])["RouteTables"][0]
        routes = [_pick(r, "DestinationCidrBlock", "GatewayId", "NatGatewayId", "State")
                  for r in t.get("Routes", [])]
        assocs = [_pick(a, "SubnetId", "Main") for a in t.get("Associations", [])
                  if a.get("AssociationState", {}).get("State", "associated")
                  not in ("disassociated", "disassociating")]
        return {"VpcId": t["VpcId"], "routes": routes, "associations": assocs,
                "tags": _tags(t.get("Tags"))}

    def _eip(self, rid, names):
        a = self.cloud.ec2.describe_addresses(AllocationIds=[rid])["Addresses"][0]
        return {"Domain": a.get("Domain"), "tags": _tags(a.get("Tags"))}

    def _natgateway(self, rid, names):
        n = self.cloud.ec2.describe_nat_gateways(NatGatewayIds=[rid])["NatGateways"][0]
        return {"SubnetId": n["SubnetId"], "VpcId": n.get("VpcId"), "State": n.get("State"),
                "ConnectivityType": n.get("ConnectivityType", "public"),
                "allocations": [a.get("AllocationId") for a in n.get("NatGatewayAddresses", [])],
                "tags": _tags(n.get("Tags"))}

    def _securitygroup(self, rid, names):
        g = self.cloud.ec2.describe_security_groups(GroupIds=[rid])["SecurityGroups"][0]

        def perms(ps):
            return [{"IpProtocol": p.get("IpProtocol"), "FromPort": p.get("FromPort"),
                     "ToPort": p.get("ToPort"),
                     "cidrs": sorted(r["CidrIp"] for r in p.get("IpRanges", [])),
                     "groups": sorted(r["GroupId"] for r in p.get("UserIdGroupPairs", []))}
                    for p in ps]
        return {"GroupName": g["GroupName"], "Description": g.get("Description"),
                "VpcId": g.get("VpcId"), "ingress": perms(g.get("IpPermissions", [])),
                "egress": perms(g.get("IpPermissionsEgress", [])), "tags": _tags(g.get("Tags"))}

    def _securitygrouprule(self, rid, names):
        r = self.cloud.ec2.describe_security_group_rules(
            SecurityGroupRuleIds=[rid])["SecurityGroupRules"][0]
        out = _pick(r, "GroupId", "IsEgress", "IpProtocol", "FromPort", "ToPort", "CidrIpv4",
                    "Description")
        if "ReferencedGroupInfo" in r:
            out["ReferencedGroupId"] = r["ReferencedGroupInfo"].get("GroupId")
        out["tags"] = _tags(r.get("Tags"))
        return out

    def _keypair(self, rid, names):
        k = self.cloud.ec2.describe_key_pairs(KeyNames=[rid])["KeyPairs"][0]
        return {"KeyFingerprint": k.get("KeyFingerprint"), "tags": _tags(k.get("Tags"))}

    def _instance(self, rid, names):
        ec2 = self.cloud.ec2
        i = ec2.describe_instances(InstanceIds=[rid])["Reservations"][0]["Instances"][0]
        out = _pick(i, "InstanceType", "ImageId", "SubnetId", "KeyName")
        out["State"] = i["State"]["Name"]
        out["groups"] = sorted(g["GroupId"] for g in i.get("SecurityGroups", []))
        out["HttpTokens"] = i.get("MetadataOptions", {}).get("HttpTokens")
        out["profile"] = i.get("IamInstanceProfile", {}).get("Arn")
        out["public_ip"] = "PublicIpAddress" in i
        root = [m["Ebs"]["VolumeId"] for m in i.get("BlockDeviceMappings", [])
                if m.get("DeviceName") == i.get("RootDeviceName")]
        if root:
            v = ec2.describe_volumes(VolumeIds=root)["Volumes"][0]
            out["root"] = _pick(v, "Size", "VolumeType", "Encrypted")
        out["tags"] = _tags(i.get("Tags"))
        return out

    def _launchtemplate(self, rid, names):
        ec2 = self.cloud.ec2
        t = ec2.describe_launch_templates(LaunchTemplateIds=[rid])["LaunchTemplates"][0]
        versions = {}
        for which in ("$Default", "$Latest"):
            v = ec2.describe_launch_template_versions(
                LaunchTemplateId=rid, Versions=[which])["LaunchTemplateVersions"][0]
            versions[which] = v["LaunchTemplateData"]
        return {"LaunchTemplateName": t["LaunchTemplateName"], "versions": versions,
                "tags": _tags(t.get("Tags"))}

    def _group(self, rid, names):
        g = self.cloud.asg.describe_auto_scaling_groups(
            AutoScalingGroupNames=[rid])["AutoScalingGroups"][0]
        names[g["AutoScalingGroupARN"]] = names[rid]
        out = _pick(g, "MinSize", "MaxSize", "DesiredCapacity", "HealthCheckType",
                    "NewInstancesProtectedFromScaleIn", "LaunchTemplate",
                    "MixedInstancesPolicy", "CapacityRebalance")
        out["subnets"] = sorted(s for s in g.get("VPCZoneIdentifier", "").split(",") if s)
        out["tags"] = sorted((t["Key"], t.get("Value"), t.get("PropagateAtLaunch"))
                             for t in g.get("Tags", []))
        return out

    def _cluster(self, rid, names):
        c = self.cloud.ecs.describe_clusters(clusters=[rid], include=["TAGS", "SETTINGS"])
        c = c["clusters"][0]
        return {"settings": c.get("settings"), "capacityProviders": c.get("capacityProviders"),
                "strategy": c.get("defaultCapacityProviderStrategy"),
                "tags": _tags(c.get("tags"), "key", "value")}

    def _capacityprovider(self, rid, names):
        p = self.cloud.ecs.describe_capacity_providers(
            capacityProviders=[rid], include=["TAGS"])["capacityProviders"][0]
        return {"provider": p.get("autoScalingGroupProvider"),
                "tags": _tags(p.get("tags"), "key", "value")}

    def _taskdefinition(self, rid, names):
        d = self.cloud.ecs.describe_task_definition(taskDefinition=rid, include=["TAGS"])
        t = d["taskDefinition"]
        out = _pick(t, "family", "containerDefinitions", "cpu", "memory", "networkMode",
                    "requiresCompatibilities", "executionRoleArn", "taskRoleArn", "status")
        out["tags"] = _tags(d.get("tags"), "key", "value")
        return out

    def _service(self, rid, names):
        cluster = rid.split("/")[-2] if rid.count("/") >= 2 else None
        s = self.cloud.ecs.describe_services(cluster=cluster, services=[rid],
                                             include=["TAGS"])["services"][0]
        out = _pick(s, "serviceName", "taskDefinition", "desiredCount", "launchType",
                    "capacityProviderStrategy", "loadBalancers", "networkConfiguration",
                    "deploymentConfiguration", "schedulingStrategy", "status")
        out["tags"] = _tags(s.get("tags"), "key", "value")
        return out

    def _role(self, rid, names):
        iam = self.cloud.iam
        r = iam.get_role(RoleName=rid)["Role"]
        attached = sorted(p["PolicyArn"] for p in
                          iam.list_attached_role_policies(RoleName=rid)["AttachedPolicies"])
        return {"Path": r.get("Path"), "trust": r.get("AssumeRolePolicyDocument"),
                "attached": attached, "inline": iam.list_role_policies(RoleName=rid)["PolicyNames"],
                "tags": _tags(iam.list_role_tags(RoleName=rid)["Tags"])}

    def _instanceprofile(self, rid, names):
        p = self.cloud.iam.get_instance_profile(InstanceProfileName=rid)["InstanceProfile"]
        return {"roles": sorted(r["RoleName"] for r in p.get("Roles", [])),
                "tags": _tags(p.get("Tags"))}

    def _loadbalancer(self, rid, names):
        elb = self.cloud.elb
        lb = elb.describe_load_balancers(LoadBalancerArns=[rid])["LoadBalancers"][0]
        attrs = elb.describe_load_balancer_attributes(LoadBalancerArn=rid)["Attributes"]
        return {"Scheme": lb.get("Scheme"), "Type": lb.get("Type"), "VpcId": lb.get("VpcId"),
                "subnets": sorted(z["SubnetId"] for z in lb.get("AvailabilityZones", [])),
                "groups": sorted(lb.get("SecurityGroups", [])),
                "attributes": {a["Key"]: a["Value"] for a in attrs},
                "tags": self._elb_tags(rid)}

    def _targetgroup(self, rid, names):
        elb = self.cloud.elb
        tg = elb.describe_target_groups(TargetGroupArns=[rid])["TargetGroups"][0]
        attrs = elb.describe_target_group_attributes(TargetGroupArn=rid)["Attributes"]
        out = _pick(tg, "TargetGroupName", "Protocol", "Port", "VpcId", "TargetType",
                    "HealthCheckProtocol", "HealthCheckPath", "HealthCheckIntervalSeconds",
                    "HealthyThresholdCount", "UnhealthyThresholdCount", "Matcher")
        out["attributes"] = {a["Key"]: a["Value"] for a in attrs}
        out["tags"] = self._elb_tags(rid)
        return out

    def _listener(self, rid, names):
        listener = self.cloud.elb.describe_listeners(ListenerArns=[rid])["Listeners"][0]
        out = _pick(listener, "LoadBalancerArn", "Port", "Protocol", "DefaultActions",
                    "SslPolicy", "Certificates")
        out["tags"] = self._elb_tags(rid)
        return out

    def _elb_tags(self, arn):
        d = self.cloud.elb.describe_tags(ResourceArns=[arn])["TagDescriptions"]
        return _tags(d[0].get("Tags")) if d else {}

    def _repository(self, rid, names):
        ecr = self.cloud.ecr
        r = ecr.describe_repositories(repositoryNames=[rid])["repositories"][0]
        out = _pick(r, "imageTagMutability", "imageScanningConfiguration",
                    "encryptionConfiguration")
        try:
            out["lifecycle"] = json.loads(
                ecr.get_lifecycle_policy(repositoryName=rid)["lifecyclePolicyText"])
        except ecr.exceptions.LifecyclePolicyNotFoundException:
            out["lifecycle"] = None
        out["tags"] = _tags(ecr.list_tags_for_resource(
            resourceArn=r["repositoryArn"]).get("tags"))
        return out

    def _loggroup(self, rid, names):
        logs = self.cloud.logs
        g = [g for g in logs.describe_log_groups(logGroupNamePrefix=rid)["logGroups"]
             if g["logGroupName"] == rid][0]
        return {"retentionInDays": g.get("retentionInDays"),
                "logGroupClass": g.get("logGroupClass", "STANDARD"),
                "tags": logs.list_tags_for_resource(
                    resourceArn=g["arn"].removesuffix(":*")).get("tags", {})}


def _normalise(value, names):
    """Replaces the stack's ids by logical names (also inside ARNs and lists
    of ids) and sorts lists, so that equal configurations compare equal."""
    if isinstance(value, dict):
        return {k: _normalise(v, names) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        items = [_normalise(v, names) for v in value]
        return sorted(items, key=lambda v: json.dumps(v, sort_keys=True, default=str))
    if isinstance(value, str):
        if value in names:
            return names[value]
        # Generated ids and ARNs also stand inside other strings (an ASG's
        # ARN, a launch template's instance profile); names stay as they
        # are, since they are the same in every deploy.
        for rid, name in names.items():
            if GENERATED.match(rid) and rid in value:
                value = value.replace(rid, name)
        return value
    if hasattr(value, "isoformat"):
        return "<time>"
    return value


def divergences(expected, actual):
    """One line per logical resource whose configuration differs, or that
    only one side has."""
    out = []
    for key in sorted(set(expected) | set(actual)):
        if key not in actual:
            out.append(f"{key}: missing (a clean deploy has it)")
        elif key not in expected:
            out.append(f"{key}: present, but a clean deploy has no such resource")
        elif expected[key] != actual[key]:
            out.append(f"{key}: differs from a clean deploy: {_diff(expected[key], actual[key])}")
    return out


def _diff(a, b, path=""):
    if isinstance(a, dict) and isinstance(b, dict):
        parts = [_diff(a.get(k), b.get(k), f"{path}.{k}" if path else k)
                 for k in sorted(set(a) | set(b)) if a.get(k) != b.get(k)]
        return "; ".join(parts)
    return f"{path or 'value'}: {json.dumps(a, default=str)} -> {json.dumps(b, default=str)}"
