import KubeSim

/// The seam to the simulated GPU world (gpusim issue): turned on for `--sim` and the
/// end-to-end tests. While the world is not in KubeSim, the bare API server is used and
/// workloads never become ready (gates then time out in simulated time).
public enum SimWorld {
    public static func configure(_ options: inout KubeSimOptions) {}
    public static func advance(_ sim: KubeSim, by seconds: Double) async {}
}
