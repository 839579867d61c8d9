//! `aws:ec2:RouteTable`.

use std::sync::Arc;

use async_trait::async_trait;
use aws_sdk_ec2::types::{ResourceType as Ec2ResourceType, RouteTable as AwsRouteTable};
use skistack_engine::{
    Attribute, CallContext, Created, Map, Property, ProviderError, ReadResult, ResourceType,
    TypeSchema, ValueType,
};

use crate::ec2::{identified, identity_filters, tag_pairs, tag_spec, update_tags};
use crate::errors::{aws_error, found, gone_ok_provider};
use crate::props::{read_result, str_of, updated_outputs, with_attributes};
use crate::retry::retry_eventual;
use crate::shared::{Clients, Shared};
use crate::tags::{read_back_tags, resource_tags, tag_changes, tag_property};

/// A route table of a VPC; its routes and subnet associations are resources
/// of their own (`aws:ec2:Route`, `aws:ec2:RouteTableAssociation`).
pub struct RouteTable {
    shared: Arc<Shared>,
    schema: TypeSchema,
}

impl RouteTable {
    pub(crate) fn new(shared: &Arc<Shared>) -> RouteTable {
        let schema = TypeSchema::new(
            "aws:ec2:RouteTable",
            "A route table of a VPC. Routes and subnet associations are separate resources.",
        )
        .property(Property::required("vpc_id", ValueType::String).force_new())
        .property(tag_property())
        .attribute(Attribute::new("arn", ValueType::String))
        .attribute(Attribute::new("owner_id", ValueType::String));
        RouteTable {
            shared: Arc::clone(shared),
            schema,
        }
    }
}

fn attributes(clients: &Clients, rt: &AwsRouteTable) -> Map {
    let id = rt.route_table_id().unwrap_or_default();
    let owner = rt.owner_id().unwrap_or_default();
    let mut attrs = Map::new();
    attrs.insert(
        "arn".into(),
        clients
            .arn("ec2", owner, &format!("route-table/{id}"))
            .into(),
    );
    attrs.insert("owner_id".into(), owner.into());
    attrs
}

#[async_trait]
impl ResourceType for RouteTable {
    fn schema(&self) -> &TypeSchema {
        &self.schema
    }

    async fn create(&self, ctx: &CallContext, inputs: &Map) -> Result<Created, ProviderError> {
        let clients = self.shared.clients(ctx).await?;
        let out = clients
            .ec2
            .create_route_table()
            .vpc_id(str_of(inputs, "vpc_id")?)
            .tag_specifications(tag_spec(
                Ec2ResourceType::RouteTable,
                &resource_tags(ctx, inputs),
            ))
            .send()
            .await
            .map_err(|e| aws_error("create route table", e))?;
        let rt = out.route_table().ok_or_else(|| {
            ProviderError::Failed("create route table: the response holds no route table".into())
        })?;
        Ok(Created {
            id: rt.route_table_id().unwrap_or_default().to_string(),
            outputs: with_attributes(inputs, attributes(&clients, rt)),
        })
    }

    async fn read(
        &self,
        ctx: &CallContext,
        id: &str,
        inputs: &Map,
        _outputs: &Map,
    ) -> Result<Option<ReadResult>, ProviderError> {
        let clients = self.shared.clients(ctx).await?;
        let res = clients
            .ec2
            .describe_route_tables()
            .route_table_ids(id)
            .send()
            .await;
        let Some(out) = found(&format!("describe route table {id}"), res)? else {
            return Ok(None);
        };
        let Some(rt) = out.route_tables().first() else {
            return Ok(None);
        };
        let mut read = Map::new();
        read.insert("vpc_id".into(), rt.vpc_id().unwrap_or_default().into());
        if let Some(tags) = read_back_tags(ctx, inputs, tag_pairs(rt.tags())) {
            read.insert("tags".into(), tags);
        }
        Ok(Some(read_result(inputs, read, attributes(&clients, rt))))
    }

    async fn update(
        &self,
        ctx: &CallContext,
        id: &str,
        old_inputs: &Map,
        old_outputs: &Map,
        new_inputs: &Map,
    ) -> Result<Map, ProviderError> {
        let clients = self.shared.clients(ctx).await?;
        update_tags(&clients.ec2, id, &tag_changes(ctx, old_inputs, new_inputs)).await?;
        Ok(updated_outputs(&self.schema, new_inputs, old_outputs))
    }

    async fn delete(
        &self,
        ctx: &CallContext,
        id: &str,
        _inputs: &Map,
        _outputs: &Map,
    ) -> Result<(), ProviderError> {
        let clients = self.shared.clients(ctx).await?;
        // A just-removed association can hold the table for a moment.
        gone_ok_provider(
            retry_eventual(
                &format!("delete route table {id}"),
                &["DependencyViolation"],
                || clients.ec2.delete_route_table().route_table_id(id).send(),
            )
            .await
            .map(|_| ()),
        )
    }

    async fn find(
        &self,
        ctx: &CallContext,
        inputs: &Map,
    ) -> Result<Option<Created>, ProviderError> {
        Ok(self.find_all(ctx, inputs).await?.into_iter().next())
    }

    /// Every route table carrying the identity tags: during a replacement the old
    /// one and the new one both do.
    async fn find_all(
        &self,
        ctx: &CallContext,
        inputs: &Map,
    ) -> Result<Vec<Created>, ProviderError> {
        let clients = self.shared.clients(ctx).await?;
        let out = clients
            .ec2
            .describe_route_tables()
            .set_filters(Some(identity_filters(ctx)))
            .send()
            .await
            .map_err(|e| aws_error("find route table by tags", e))?;
        Ok(identified(
            ctx,
            out.route_tables(),
            |rt| rt.tags(),
            |rt| rt.route_table_id(),
            |rt| with_attributes(inputs, attributes(&clients, rt)),
        ))
    }
}
