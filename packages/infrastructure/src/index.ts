export {
  type EmbeddedBroker,
  type EmbeddedBrokerOptions,
  type EmbeddedBrokerModule,
  EMBEDDED_MAX_PAYLOAD_BYTES,
  startEmbeddedBroker,
  createEmbeddedBrokerModule,
} from './embedded-broker.js';
export {
  type BrokerAccessPolicy,
  type BrokerLogin,
  type Credentials,
  embeddedBrokerAccess,
} from './broker-access.js';
export {
  type StoreConfig,
  type StoreEnv,
  type StoreModule,
  createStoreModule,
  storeConfigFrom,
} from './store-module.js';
export {
  type MqttConnectionConfig,
  type MqttEnv,
  type MqttSessionOptions,
  type MqttTls,
  connectMqtt,
  mqttConnectionFrom,
} from './mqtt-connection.js';
export { createGatewayAssignmentsModule, createRegistryModule } from './registry-module.js';
