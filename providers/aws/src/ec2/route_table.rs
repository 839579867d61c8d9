//! `aws:ec2:RouteTable`.

use async_trait::async_trait;
use aws_sdk_ec2::types::{ResourceType as Ec2ResourceType, RouteTable as AwsRouteTable};
use skistack_engine::{Attribute, Created, Map, Property, ReadResult, TypeSchema, ValueType};

use crate::ec2::{described, find_identified, own_tag_spec, owned_attributes};
use crate::errors::{During, OrFailed};
use crate::kit::{AwsResource, Call, Out, created};
use crate::props::{read_result, str_of, with_attributes};
use crate::retry::retry_eventual;
use crate::shared::Clients;
use crate::tags::{self, TagApi, put_read_tags, tag_pairs, tag_property};

/// A route table of a VPC; its routes and subnet associations are resources
/// of their own (`aws:ec2:Route`, `aws:ec2:RouteTableAssociation`).
#[derive(Default)]
pub(crate) struct RouteTable;

/// The table's ARN and owner.
fn attributes(clients: &Clients, rt: &AwsRouteTable) -> Map {
    let id = rt.route_table_id().unwrap_or_default();
    owned_attributes(
        clients,
        "route-table",
        id,
        rt.owner_id().unwrap_or_default(),
    )
}

#[async_trait]
impl AwsResource for RouteTable {
    const NOT_IDEMPOTENT: &'static [&'static str] = &["CreateRouteTable"];
    const TAGS: Option<TagApi> = Some(tags::EC2);

    fn schema() -> TypeSchema {
        TypeSchema::new(
            "aws:ec2:RouteTable",
            "A route table of a VPC. Routes and subnet associations are separate resources.",
        )
        .complete_reads()
        .properties([
            Property::required("vpc_id", ValueType::String).force_new(),
            tag_property(),
        ])
        .attributes([
            Attribute::new("arn", ValueType::String),
            Attribute::new("owner_id", ValueType::String),
        ])
    }

    async fn create(&self, call: &Call<'_>) -> Out<Created> {
        let (clients, inputs) = (call.clients, call.inputs);
        let out = clients
            .ec2
            .create_route_table()
            .vpc_id(str_of(inputs, "vpc_id")?)
            .tag_specifications(own_tag_spec(call, Ec2ResourceType::RouteTable)?)
            .send()
            .await
            .during("create route table")?;
        let rt = out
            .route_table()
            .or_failed("create route table: the response holds no route table")?;
        Ok(created(
            rt.route_table_id().unwrap_or_default().to_string(),
            with_attributes(inputs, attributes(clients, rt)),
        ))
    }

    async fn read(&self, call: &Call<'_>) -> Out<Option<ReadResult>> {
        let (ctx, clients, id, inputs) = (call.ctx, call.clients, call.id, call.inputs);
        let Some(rt) = described::<AwsRouteTable>(clients, id).await? else {
            return Ok(None);
        };
        let mut read = Map::new();
        read.insert("vpc_id".into(), rt.vpc_id().unwrap_or_default().into());
        put_read_tags(&mut read, ctx, inputs, tag_pairs(rt.tags()));
        Ok(Some(read_result(inputs, read, attributes(clients, &rt))))
    }

    async fn delete(&self, call: &Call<'_>) -> Out<()> {
        let (clients, id) = (call.clients, call.id);
        // A just-removed association can hold the table for a moment.
        retry_eventual(
            &format!("delete route table {id}"),
            &["DependencyViolation"],
            || clients.ec2.delete_route_table().route_table_id(id).send(),
        )
        .await
        .map(|_| ())
    }

    /// Every route table carrying the identity tags: during a replacement the old
    /// one and the new one both do.
    async fn find_all(&self, call: &Call<'_>) -> Out<Vec<Created>> {
        let (clients, inputs) = (call.clients, call.inputs);
        find_identified(call, |rt: &AwsRouteTable| {
            with_attributes(inputs, attributes(clients, rt))
        })
        .await
    }
}
