export * from './config/app-config';
export * from './infrastructure/infrastructure';
export * from './security/scrypt-password-hasher';
export * from './bootstrap/initial-admin';
export * from './bootstrap/run-process';
export * from './demo/demo-directory';
export * from './demo/demo-story';
