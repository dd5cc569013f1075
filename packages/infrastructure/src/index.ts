export {
  type EmbeddedBroker,
  type EmbeddedBrokerOptions,
  type EmbeddedBrokerModule,
  startEmbeddedBroker,
  createEmbeddedBrokerModule,
} from './embedded-broker.js';
export {
  type StoreConfig,
  type StoreEnv,
  type StoreModule,
  createStoreModule,
  storeConfigFrom,
} from './store-module.js';
export { type MqttConnectionConfig, type MqttSessionOptions, connectMqtt } from './mqtt-connection.js';
export { createRegistryModule } from './registry-module.js';
