/** What other features may use of the directory. */
export { SetDigestTimeCommand, SetUnitChannelsCommand } from './directory.commands';
