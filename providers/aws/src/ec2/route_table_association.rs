//! `aws:ec2:RouteTableAssociation`: a subnet's use of a route table.

use std::sync::Arc;

use async_trait::async_trait;
use aws_sdk_ec2::types::{RouteTableAssociation as AwsAssociation, RouteTableAssociationStateCode};
use skistack_engine::{
    CallContext, Created, Map, Property, ProviderError, ReadResult, ResourceType, TypeSchema,
    ValueType,
};

use crate::ec2::filter;
use crate::errors::{aws_error, gone_ok};
use crate::props::str_of;
use crate::retry::retry_eventual;
use crate::shared::Shared;

/// Associates a subnet with a route table. Its id is the association id.
pub struct RouteTableAssociation {
    shared: Arc<Shared>,
    schema: TypeSchema,
}

impl RouteTableAssociation {
    pub(crate) fn new(shared: &Arc<Shared>) -> RouteTableAssociation {
        let schema = TypeSchema::new(
            "aws:ec2:RouteTableAssociation",
            "Makes a subnet use a route table instead of the VPC's main one.",
        )
        .property(Property::required("subnet_id", ValueType::String).force_new())
        .property(Property::required("route_table_id", ValueType::String).force_new());
        RouteTableAssociation {
            shared: Arc::clone(shared),
            schema,
        }
    }
}

/// True for an association that is gone or going (AWS lists those for a while).
fn ended(a: &AwsAssociation) -> bool {
    matches!(
        a.association_state().and_then(|s| s.state()),
        Some(
            RouteTableAssociationStateCode::Disassociated
                | RouteTableAssociationStateCode::Disassociating
        )
    )
}

#[async_trait]
impl ResourceType for RouteTableAssociation {
    fn schema(&self) -> &TypeSchema {
        &self.schema
    }

    async fn create(&self, ctx: &CallContext, inputs: &Map) -> Result<Created, ProviderError> {
        let clients = self.shared.clients(ctx).await?;
        let subnet = str_of(inputs, "subnet_id")?;
        let table = str_of(inputs, "route_table_id")?;
        let out = retry_eventual(
            &format!("associate route table {table} with subnet {subnet}"),
            &["InvalidRouteTableID.NotFound", "InvalidSubnetID.NotFound"],
            || {
                clients
                    .ec2
                    .associate_route_table()
                    .subnet_id(subnet)
                    .route_table_id(table)
                    .send()
            },
        )
        .await?;
        let id = out.association_id().unwrap_or_default().to_string();
        Ok(Created {
            id,
            outputs: inputs.clone(),
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
        let out = clients
            .ec2
            .describe_route_tables()
            .filters(filter("association.route-table-association-id", id))
            .send()
            .await
            .map_err(|e| aws_error(&format!("describe route table association {id}"), e))?;
        let assoc = out
            .route_tables()
            .iter()
            .flat_map(|t| t.associations())
            .find(|a| a.route_table_association_id() == Some(id) && !ended(a));
        let Some(assoc) = assoc else {
            return Ok(None);
        };
        let mut read = Map::new();
        read.insert(
            "subnet_id".into(),
            assoc.subnet_id().unwrap_or_default().into(),
        );
        read.insert(
            "route_table_id".into(),
            assoc.route_table_id().unwrap_or_default().into(),
        );
        let mut outputs = inputs.clone();
        outputs.extend(read.clone());
        Ok(Some(ReadResult {
            inputs: read,
            outputs,
        }))
    }

    async fn update(
        &self,
        _ctx: &CallContext,
        _id: &str,
        _old_inputs: &Map,
        _old_outputs: &Map,
        new_inputs: &Map,
    ) -> Result<Map, ProviderError> {
        // Every property is force_new: nothing changes in place.
        Ok(new_inputs.clone())
    }

    async fn delete(
        &self,
        ctx: &CallContext,
        id: &str,
        _inputs: &Map,
        _outputs: &Map,
    ) -> Result<(), ProviderError> {
        let clients = self.shared.clients(ctx).await?;
        let res = clients
            .ec2
            .disassociate_route_table()
            .association_id(id)
            .send()
            .await;
        gone_ok(&format!("disassociate route table ({id})"), res)
    }

    async fn find(
        &self,
        ctx: &CallContext,
        inputs: &Map,
    ) -> Result<Option<Created>, ProviderError> {
        let clients = self.shared.clients(ctx).await?;
        let subnet = str_of(inputs, "subnet_id")?;
        let table = str_of(inputs, "route_table_id")?;
        let out = clients
            .ec2
            .describe_route_tables()
            .filters(filter("association.subnet-id", subnet))
            .send()
            .await
            .map_err(|e| aws_error(&format!("find the route table association of {subnet}"), e))?;
        let assoc = out
            .route_tables()
            .iter()
            .flat_map(|t| t.associations())
            .find(|a| {
                a.subnet_id() == Some(subnet) && a.route_table_id() == Some(table) && !ended(a)
            });
        Ok(assoc
            .and_then(|a| a.route_table_association_id())
            .map(|id| Created {
                id: id.to_string(),
                outputs: inputs.clone(),
            }))
    }
}
