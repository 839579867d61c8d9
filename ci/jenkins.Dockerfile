# The Jenkins server's image: the Jenkins LTS image with the plugins of
# ci/plugins.txt and the tools ci/Jenkinsfile calls on the server (the
# Docker CLI with buildx, the AWS CLI, and a link to the skistack binary the
# pipeline builds), configured by ci/jenkins.yaml. The server's user data
# builds it from this file, ci/plugins.txt and ci/jenkins.yaml, which
# stacks/ci.toml embeds.

ARG JENKINS_IMAGE=jenkins/jenkins:2.555.2-lts-jdk21
ARG DOCKER_CLI_IMAGE=docker:28.5.1-cli
ARG AWS_CLI_IMAGE=amazon/aws-cli:2.36.44

FROM ${DOCKER_CLI_IMAGE} AS docker-cli
FROM ${AWS_CLI_IMAGE} AS aws-cli

FROM ${JENKINS_IMAGE}
# Static binaries and a self-contained bundle: nothing to install with apt.
COPY --from=docker-cli /usr/local/bin/docker /usr/local/bin/docker
COPY --from=docker-cli /usr/local/libexec/docker/cli-plugins/docker-buildx /usr/local/libexec/docker/cli-plugins/docker-buildx
COPY --from=aws-cli /usr/local/aws-cli /usr/local/aws-cli
USER 0
# The pipeline installs skistack into the Jenkins home on the volume; the
# link puts it on PATH for builds and for people using `docker exec`.
RUN ln -s /usr/local/aws-cli/v2/current/bin/aws /usr/local/bin/aws \
    && ln -s /var/jenkins_home/bin/skistack /usr/local/bin/skistack
# The image's `jenkins` user, by id.
USER 1000:1000
COPY plugins.txt /usr/share/jenkins/ref/plugins.txt
RUN jenkins-plugin-cli --plugin-file /usr/share/jenkins/ref/plugins.txt
COPY jenkins.yaml /usr/share/jenkins/casc/jenkins.yaml
# Configured by ci/jenkins.yaml, not by the setup wizard.
ENV JAVA_OPTS=-Djenkins.install.runSetupWizard=false \
    CASC_JENKINS_CONFIG=/usr/share/jenkins/casc/jenkins.yaml
