import {Command} from '@oclif/core'

export default class Bootstrap extends Command {
  static override summary = 'placeholder'
  async run(): Promise<void> {
    this.log('ok')
  }
}
