/** What other features may use of the directory. */
export { SetUnitChannelsCommand } from './directory.commands';
