import PlatformCLI

await PlatformMain.run()
