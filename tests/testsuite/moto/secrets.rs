//! The `awskms://` secrets provider against moto's KMS: the data keys are
//! wrapped by a KMS key, no secret's plaintext is in the state, and a state
//! wrapped by KMS does not open without it.

use crate::BIN;
use crate::secrets::{TOKEN, deployed};

use super::{Aws, moto};
use skistack_test_support::Project;

#[tokio::test]
async fn a_kms_key_wraps_the_state_keys_and_nothing_opens_without_it() {
    let moto = moto();
    let aws = Aws::connect(&moto).await;
    let key = aws.kms.create_key().send().await.expect("KMS CreateKey");
    let key_id = key
        .key_metadata()
        .expect("key metadata")
        .key_id()
        .to_string();
    aws.kms
        .create_alias()
        .alias_name("alias/ceros-ski-state")
        .target_key_id(&key_id)
        .send()
        .await
        .expect("KMS CreateAlias");

    let p = Project::aws(BIN, &moto.endpoint);
    let with = [
        "--secrets-provider",
        "awskms://alias/ceros-ski-state?region=us-east-1",
    ];
    let password = deployed(&p, &with, &[]);
    p.assert_state_lacks(&[TOKEN, &password]);
    // The wrapped key is KMS's ciphertext: the raw key id is recorded, the
    // key material is not.
    let provider: String = p
        .db()
        .query_row("SELECT provider FROM secret_keys", [], |r| r.get(0))
        .expect("a wrapped key");
    assert_eq!(provider, with[1]);

    // Without KMS the state names the provider it needs.
    p.run(&["outputs", "sec", "--show-secrets"])
        .expect_code(1)
        .contains("awskms://alias/ceros-ski-state")
        .lacks(TOKEN);
    // A key that does not exist is named in the error, and nothing of the
    // new stack is recorded.
    p.stack("other", crate::secrets::STACK);
    let before = p.state_snapshot();
    p.run(&[
        "--secrets-provider",
        "awskms://alias/nowhere?region=us-east-1",
        "config",
        "set",
        "other",
        "token",
        TOKEN,
    ])
    .expect_code(1)
    .contains("awskms://alias/nowhere")
    .contains("KMS Encrypt")
    .lacks(TOKEN);
    assert_eq!(p.state_snapshot(), before);

    // Re-wrapped with the key's own id, the state opens with that.
    let by_id = format!("awskms://{key_id}?region=us-east-1");
    p.run(&[
        "--secrets-provider",
        with[1],
        "state",
        "change-secrets-provider",
        &by_id,
    ])
    .ok();
    let shown = p
        .run(&[
            "--secrets-provider",
            &by_id,
            "outputs",
            "sec",
            "--json",
            "--show-secrets",
        ])
        .ok()
        .json();
    assert_eq!(shown["password"], password.as_str());
}
